package dev.modelops.operator.retraining;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.modelops.operator.api.v1alpha1.Conditions.Reason;
import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.api.v1alpha1.RetrainingSpec;
import dev.modelops.operator.api.v1alpha1.RetrainingStatus;
import dev.modelops.operator.dependent.ModelLocation;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionTemplate;
import dev.modelops.operator.rollout.GoDuration;
import dev.modelops.operator.rollout.RolloutPlan.Condition;
import dev.modelops.operator.rollout.RolloutPlan.Event;
import dev.modelops.operator.rollout.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The retraining decision: a pure function of the Jobs that exist, the drift verdict, what status
 * recorded and the clock. One Job at a time, decided from the Jobs themselves, so a restarted
 * operator never starts a second; spec.retraining.cooldown between triggers; a failed Job retried
 * with exponential backoff while drift is detected; a succeeded Job's report read once and recorded
 * as a revision.
 */
public final class RetrainingDecider {

  public static final String RUNNING = "Running";
  public static final String FAILED = "Failed";
  public static final String SUCCEEDED = "Succeeded";
  public static final String INVALID_REPORT = "InvalidReport";

  /** The wait before the first retry of a failed Job; it doubles with each further failure. */
  public static final Duration BACKOFF_BASE = Duration.ofMinutes(1);

  /** The longest wait between two attempts, whatever the cooldown. */
  public static final Duration BACKOFF_MAX = Duration.ofHours(1);

  private final RetrainingInputs in;
  private final RetrainingSpec spec;
  private final RetrainingStatus recorded;
  private final List<Event> events = new ArrayList<>();

  private RetrainingDecider(RetrainingInputs in) {
    this.in = in;
    this.spec = in.spec();
    this.recorded = in.recorded().orElseGet(RetrainingStatus::new);
  }

  public static RetrainingDecision decide(RetrainingInputs in) {
    if (in.spec() == null) {
      return RetrainingDecision.NONE;
    }
    return new RetrainingDecider(in).decide();
  }

  /** The newest Job: the one with the highest sequence number. */
  public static Optional<ObservedJob> newest(List<ObservedJob> jobs) {
    return jobs.stream().max(Comparator.comparingInt(ObservedJob::sequence));
  }

  /**
   * Whether the newest Job's termination message is to be read: it succeeded and its report was not
   * recorded yet. The reconciler reads its pods only then.
   */
  public static boolean reportWanted(List<ObservedJob> jobs, Optional<RetrainingStatus> recorded) {
    return newest(jobs)
        .filter(j -> j.state() == ObservedJob.State.SUCCEEDED)
        .filter(j -> !reported(j, recorded.orElseGet(RetrainingStatus::new)))
        .isPresent();
  }

  private static boolean reported(ObservedJob job, RetrainingStatus recorded) {
    return job.name().equals(recorded.job)
        && (SUCCEEDED.equals(recorded.phase) || INVALID_REPORT.equals(recorded.phase));
  }

  /** The wait after the {@code attempt}-th failure in a row: 1m, 2m, 4m, ... at most the cap. */
  public static Duration backoff(int attempt, Duration cooldown) {
    Duration cap = cooldown.compareTo(BACKOFF_MAX) < 0 ? cooldown : BACKOFF_MAX;
    int doublings = Math.min(Math.max(attempt, 1) - 1, 20);
    Duration wait = BACKOFF_BASE.multipliedBy(1L << doublings);
    return wait.compareTo(cap) < 0 ? wait : cap;
  }

  private RetrainingDecision decide() {
    Optional<ObservedJob> newest = newest(in.jobs());
    if (newest.isEmpty()) {
      return noJob();
    }
    ObservedJob job = newest.get();
    RetrainingStatus s = fresh();
    s.job = job.name();
    s.attempt = job.attempt();
    s.triggeredAt = Timestamps.seconds(job.createdAt());
    return switch (job.state()) {
      case RUNNING -> running(job, s);
      case FAILED -> failed(job, s);
      case SUCCEEDED -> succeeded(job, s);
    };
  }

  /**
   * No Job exists: none was started, or the last one is gone (a ttlSecondsAfterFinished, a
   * deletion). What status recorded of it stays, so its cooldown still counts.
   */
  private RetrainingDecision noJob() {
    RetrainingStatus s = fresh();
    s.job = recorded.job;
    s.attempt = recorded.attempt;
    s.triggeredAt = recorded.triggeredAt;
    s.phase = recorded.phase;
    s.revision = recorded.revision;
    Optional<Condition> gone = Optional.empty();
    if (RUNNING.equals(recorded.phase)) {
      s.phase = FAILED;
      gone =
          Optional.of(
              new Condition(
                  false,
                  Reason.JOB_FAILED,
                  "Job %s is gone before it ended (deleted?); the next Job starts after the"
                          .formatted(recorded.job)
                      + " cooldown"));
      events.add(new Event("Warning", "RetrainingFailed", gone.get().message()));
    }
    return triggerOrWait(Optional.empty(), s, gone);
  }

  private RetrainingDecision running(ObservedJob job, RetrainingStatus s) {
    s.phase = RUNNING;
    return decision(
        Optional.empty(),
        new Condition(
            true,
            Reason.JOB_RUNNING,
            "Job %s (attempt %d) is running since %s"
                .formatted(job.name(), job.attempt(), s.triggeredAt)),
        s,
        Optional.empty(),
        Optional.empty());
  }

  private RetrainingDecision failed(ObservedJob job, RetrainingStatus s) {
    s.phase = FAILED;
    Instant ended = job.finishedAt().orElse(job.createdAt());
    Instant retryAt = ended.plus(backoff(job.attempt(), cooldown()));
    String failed =
        "Job %s (attempt %d) failed: %s"
            .formatted(job.name(), job.attempt(), blankAs(job.failure(), "no reason given"));
    boolean firstSight = !(job.name().equals(recorded.job) && FAILED.equals(recorded.phase));
    if (firstSight) {
      events.add(new Event("Warning", "RetrainingFailed", failed));
    }
    if (in.driftSince().isEmpty()) {
      return decision(
          Optional.empty(),
          new Condition(
              false, Reason.JOB_FAILED, failed + "; drift is no longer detected: no retry"),
          s,
          Optional.empty(),
          Optional.empty());
    }
    if (in.now().isBefore(retryAt)) {
      s.nextAttemptAt = Timestamps.seconds(retryAt);
      return decision(
          Optional.empty(),
          new Condition(
              false,
              Reason.JOB_FAILED,
              failed
                  + "; attempt %d starts at %s while drift is detected"
                      .formatted(job.attempt() + 1, s.nextAttemptAt)),
          s,
          Optional.empty(),
          Optional.of(Duration.between(in.now(), retryAt)));
    }
    if (in.rolloutInProgress()) {
      return waitForRollout(s, failed + "; ");
    }
    return start(job.sequence() + 1, job.attempt() + 1, "retrying: " + failed);
  }

  private RetrainingDecision succeeded(ObservedJob job, RetrainingStatus s) {
    if (reported(job, recorded)) {
      s.phase = recorded.phase;
      s.revision = recorded.revision;
      return triggerOrWait(Optional.of(job), s, Optional.empty());
    }
    RetrainingReport.Parsed parsed = RetrainingReport.parse(in.report().orElse(null));
    if (parsed instanceof RetrainingReport.Parsed.Invalid invalid) {
      s.phase = INVALID_REPORT;
      String message =
          "Job %s succeeded but did not report a model: %s; the report is JSON"
                  .formatted(job.name(), invalid.problem())
              + " {\"uri\",\"sha256\",\"version\"} in its container's termination message";
      events.add(new Event("Warning", "RetrainingInvalidReport", message));
      return result(s, new Condition(false, Reason.INVALID_REPORT, message), Optional.empty());
    }
    RetrainingReport report = ((RetrainingReport.Parsed.Valid) parsed).report();
    RevisionTemplate template = templateFor(report);
    Optional<Revision> same =
        in.kept().stream().filter(r -> r.hash().equals(template.hash())).findFirst();
    s.phase = SUCCEEDED;
    Optional<Revision> made = Optional.empty();
    String what;
    if (same.isPresent()) {
      s.revision = same.get().number();
      what = "it is revision %d already: nothing new to roll out".formatted(s.revision);
    } else {
      int number =
          Math.max(
                  in.kept().stream().mapToInt(Revision::number).max().orElse(0), in.highestNumber())
              + 1;
      s.revision = number;
      Revision revision =
          new Revision(
              number,
              template.hash(),
              template,
              Revision.RETRAINING,
              null,
              Optional.empty(),
              report.baseline().or(in::baseline));
      if (spec.promote == RetrainingSpec.Promote.None) {
        revision =
            revision.marked(
                new Revision.Outcome(
                    Revision.Outcome.RECORDED,
                    "PromoteNone",
                    ("recorded from Job %s; spec.retraining.promote is None: serve it with"
                            + " modelops.dev/rollback-to=%d")
                        .formatted(job.name(), number)));
        what = "recorded as revision %d, not rolled out (spec.retraining.promote: None)";
      } else {
        what = "recorded as revision %d, rolled out by spec.rollout";
      }
      what = what.formatted(number);
      made = Optional.of(revision);
    }
    String message =
        "Job %s reported model version %s (%s): %s"
            .formatted(job.name(), report.version(), ModelLocation.redacted(report.uri()), what);
    events.add(new Event("Normal", "RetrainingSucceeded", message));
    return result(s, new Condition(false, Reason.SUCCEEDED, message), made);
  }

  /** A result recorded in this reconcile: no new Job before the next reconcile. */
  private RetrainingDecision result(
      RetrainingStatus s, Condition condition, Optional<Revision> made) {
    Instant next = newest(in.jobs()).map(ObservedJob::createdAt).orElse(in.now()).plus(cooldown());
    s.nextAttemptAt = Timestamps.seconds(next);
    return decision(Optional.empty(), condition, s, made, Optional.empty());
  }

  /**
   * No Job runs and none is to be retried: a trigger starts one when drift is detected, the
   * cooldown since the last one has passed and no rollout is in progress.
   */
  private RetrainingDecision triggerOrWait(
      Optional<ObservedJob> last, RetrainingStatus s, Optional<Condition> keep) {
    Optional<Instant> lastStart = last.map(ObservedJob::createdAt).or(this::recordedStart);
    Optional<Instant> next = lastStart.map(t -> t.plus(cooldown()));
    s.nextAttemptAt = next.map(Timestamps::seconds).orElse(null);
    Condition shown =
        keep.or(() -> failedRevision(s, lastStart)).or(this::recordedResult).orElseGet(this::idle);
    if (in.driftSince().isEmpty()) {
      return decision(Optional.empty(), shown, s, Optional.empty(), Optional.empty());
    }
    if (next.isPresent() && in.now().isBefore(next.get())) {
      // Drift seen again after the last Job, or on the model it made: say why nothing starts;
      // else keep its result.
      boolean retrainedServes =
          SUCCEEDED.equals(s.phase)
              && s.revision != null
              && in.stable().equals(Optional.of(s.revision));
      boolean driftAfterLastJob = retrainedServes || in.driftSince().get().isAfter(lastStart.get());
      Condition condition =
          driftAfterLastJob && !Reason.REVISION_FAILED.equals(shown.reason())
              ? new Condition(
                  false,
                  Reason.COOLING_DOWN,
                  "drift is detected; the last Job started at %s and spec.retraining.cooldown %s"
                          .formatted(Timestamps.seconds(lastStart.get()), spec.cooldown)
                      + " holds the next until "
                      + s.nextAttemptAt)
              : shown;
      return decision(
          Optional.empty(),
          condition,
          s,
          Optional.empty(),
          Optional.of(Duration.between(in.now(), next.get())));
    }
    if (in.rolloutInProgress()) {
      return waitForRollout(s, "");
    }
    int sequence =
        Math.max(last.map(ObservedJob::sequence).orElse(0), recordedSequence().orElse(0)) + 1;
    return start(sequence, 1, "DriftDetected: " + in.driftMessage());
  }

  private RetrainingDecision waitForRollout(RetrainingStatus s, String before) {
    return decision(
        Optional.empty(),
        new Condition(
            false,
            Reason.WAITING_FOR_ROLLOUT,
            before
                + "drift is detected; the next Job starts once the rollout in progress ends"
                + " (its new pods measure drift anew)"),
        s,
        Optional.empty(),
        Optional.empty());
  }

  private RetrainingDecision start(int sequence, int attempt, String why) {
    String name = jobName(in.jobPrefix(), sequence);
    RetrainingStatus s = fresh();
    s.job = name;
    s.attempt = attempt;
    s.phase = RUNNING;
    s.triggeredAt = Timestamps.seconds(in.now());
    String message = "started Job %s (attempt %d): %s".formatted(name, attempt, why);
    events.add(new Event("Normal", "RetrainingStarted", message));
    return decision(
        Optional.of(new RetrainingDecision.JobRequest(name, sequence, attempt)),
        new Condition(true, Reason.JOB_RUNNING, message),
        s,
        Optional.empty(),
        Optional.empty());
  }

  /** A Job's name: the prefix and its sequence number, within the 63 characters a Job may have. */
  public static String jobName(String prefix, int sequence) {
    String suffix = "-retrain-" + sequence;
    String head =
        prefix.length() + suffix.length() > 63 ? prefix.substring(0, 63 - suffix.length()) : prefix;
    return head.replaceAll("[-.]+$", "") + suffix;
  }

  private Optional<Integer> recordedSequence() {
    if (recorded.job == null) {
      return Optional.empty();
    }
    int dash = recorded.job.lastIndexOf('-');
    try {
      return Optional.of(Integer.parseInt(recorded.job.substring(dash + 1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private Optional<Instant> recordedStart() {
    try {
      return Optional.ofNullable(recorded.triggeredAt).map(Instant::parse);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The condition recorded for a finished Job, kept while nothing new happens. */
  /**
   * The revision the last Job made failed its rollout (its canary analysis, its progress deadline)
   * and was rolled back: said so until the next Job, which the cooldown holds.
   */
  private Optional<Condition> failedRevision(RetrainingStatus s, Optional<Instant> lastStart) {
    if (!SUCCEEDED.equals(s.phase) || s.revision == null) {
      return Optional.empty();
    }
    return in.kept().stream()
        .filter(r -> r.number() == s.revision)
        .findFirst()
        .flatMap(Revision::outcome)
        .filter(o -> Revision.Outcome.FAILED.equals(o.kind()))
        .map(
            o ->
                new Condition(
                    false,
                    Reason.REVISION_FAILED,
                    "revision %d, the model Job %s made, failed its rollout and was rolled back (%s);"
                            .formatted(s.revision, blankAs(s.job, "-"), o.message())
                        + lastStart
                            .map(
                                t ->
                                    " spec.retraining.cooldown %s holds the next Job until %s"
                                        .formatted(
                                            spec.cooldown, Timestamps.seconds(t.plus(cooldown()))))
                            .orElse("")));
  }

  private Optional<Condition> recordedResult() {
    return in.recordedCondition()
        .filter(
            c ->
                Reason.SUCCEEDED.equals(c.reason())
                    || Reason.INVALID_REPORT.equals(c.reason())
                    || Reason.JOB_FAILED.equals(c.reason()));
  }

  private Condition idle() {
    return new Condition(
        false,
        Reason.IDLE,
        "no retraining Job runs; one starts when DriftDetected is True (spec.drift sets how drift"
            + " is measured)");
  }

  private RevisionTemplate templateFor(RetrainingReport report) {
    ModelSource model =
        JsonMapper.builder().build().convertValue(in.template().model(), ModelSource.class);
    model.uri = report.uri();
    model.sha256 = report.sha256();
    model.version = report.version();
    return new RevisionTemplate(model, in.template().runtime());
  }

  private Duration cooldown() {
    return GoDuration.parse(Objects.requireNonNullElse(spec.cooldown, "6h"));
  }

  private RetrainingStatus fresh() {
    return new RetrainingStatus();
  }

  private static String blankAs(String s, String otherwise) {
    return s == null || s.isBlank() ? otherwise : s;
  }

  private RetrainingDecision decision(
      Optional<RetrainingDecision.JobRequest> create,
      Condition condition,
      RetrainingStatus status,
      Optional<Revision> revision,
      Optional<Duration> requeue) {
    boolean changed =
        in.recordedCondition().map(c -> !c.reason().equals(condition.reason())).orElse(true);
    if (changed && events.isEmpty() && create.isEmpty()) {
      if (Reason.COOLING_DOWN.equals(condition.reason())) {
        events.add(new Event("Normal", "RetrainingCoolingDown", condition.message()));
      } else if (Reason.REVISION_FAILED.equals(condition.reason())) {
        events.add(new Event("Warning", "RetrainingRevisionFailed", condition.message()));
      } else if (Reason.WAITING_FOR_ROLLOUT.equals(condition.reason())) {
        events.add(new Event("Normal", "RetrainingWaitingForRollout", condition.message()));
      }
    }
    return new RetrainingDecision(
        create,
        Optional.of(condition),
        Optional.of(status),
        revision,
        List.copyOf(events),
        requeue.map(d -> d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d));
  }
}
