package dev.modelops.operator.rollout;

import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.AnalysisVerdict;
import dev.modelops.operator.api.v1alpha1.CanaryStatus;
import dev.modelops.operator.api.v1alpha1.CanaryStep;
import dev.modelops.operator.api.v1alpha1.Conditions.Reason;
import dev.modelops.operator.api.v1alpha1.ManualAction;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.Revision.Outcome;
import dev.modelops.operator.rollout.RolloutInputs.Check;
import dev.modelops.operator.rollout.RolloutInputs.ManualRequests;
import dev.modelops.operator.rollout.RolloutInputs.PodCounts;
import dev.modelops.operator.rollout.RolloutPlan.Condition;
import dev.modelops.operator.rollout.RolloutPlan.Event;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rollout decision: a pure function of what one reconcile observed and the clock. It picks the
 * revision to roll out (the newest, unless it has an outcome), walks the strategy one move at a
 * time, and says which revisions get how many pods.
 */
public final class RolloutDecider {

  /** Verdicts kept in status.canary.verdicts. */
  static final int VERDICTS_KEPT = 10;

  public static final String STEPPING = "Stepping";
  public static final String PAUSED = "Paused";
  public static final String PROMOTING = "Promoting";
  public static final String CANARY = "Canary";
  public static final String IMMEDIATE = "Immediate";

  private final RolloutInputs in;
  private final String now;
  private final int desired;
  private final List<Revision> kept;
  private final List<Event> events = new ArrayList<>();
  private final Set<String> handled = new LinkedHashSet<>();
  private ManualAction action;
  private boolean rollbackImmediate;

  private RolloutDecider(RolloutInputs in) {
    this.in = in;
    this.now = Timestamps.seconds(in.now());
    this.desired = in.replicas();
    this.kept = new ArrayList<>(in.revisions().kept());
  }

  public static RolloutPlan decide(RolloutInputs in) {
    return new RolloutDecider(in).decide();
  }

  /** Whether a check of the canary is due: the reconciler measures only then. */
  public static boolean analysisDue(RolloutSpec rollout, CanaryStatus canary, Instant now) {
    if (canary == null
        || rollout.analysis == null
        || !STEPPING.equals(canary.phase)
        || canary.stepStartedAt == null
        || Boolean.TRUE.equals(rollout.paused)) {
      return false;
    }
    return !now.isBefore(intervalStart(canary).plus(interval(rollout.analysis)));
  }

  /** Where the canary's current analysis interval began: its last check, else its step's start. */
  public static Instant intervalStart(CanaryStatus canary) {
    return Instant.parse(Objects.requireNonNullElse(canary.lastAnalysisAt, canary.stepStartedAt));
  }

  /**
   * Canary pods beside {@code stable} stable pods so that the canary's share of pods is nearest the
   * weight, and at least one: stable capacity is never lowered.
   */
  public static int canaryReplicas(int weight, int stable) {
    if (stable <= 0) {
      return 1;
    }
    return Math.max(1, (int) Math.round(weight * (double) stable / (100 - weight)));
  }

  private RolloutPlan decide() {
    Optional<Integer> stable = in.stable().filter(s -> find(s).isPresent());
    handleRollbackRequest(stable);
    Revision newest = newest();
    if (stable.isEmpty() || (desired == 0 && !newest.marked())) {
      // The first revision, or no pods to hand over: it serves at once.
      refusePromote("no rollout is in progress");
      return settled(newest.number(), Optional.empty());
    }
    int target = newest.marked() ? stable.get() : newest.number();
    if (target == stable.get()) {
      refusePromote("no rollout is in progress");
      return settled(stable.get(), newest.marked() ? newest.outcome() : Optional.empty());
    }
    return rollOut(stable.get(), newest);
  }

  // --- manual rollback ---------------------------------------------------------------------

  private void handleRollbackRequest(Optional<Integer> stable) {
    ManualRequests requests = in.requests();
    if (requests.rollbackTo().isEmpty()) {
      return;
    }
    String raw = requests.rollbackTo().get().strip();
    handled.add(ManualRequests.ROLLBACK_TO);
    if (requests.rollbackImmediate()) {
      handled.add(ManualRequests.ROLLBACK_IMMEDIATE);
    }
    String request = ManualRequests.ROLLBACK_TO + "=" + raw;
    int number;
    try {
      number = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      refuse(request, "'%s' is not a revision number".formatted(raw));
      return;
    }
    Optional<Revision> wanted = find(number);
    if (wanted.isEmpty()) {
      refuse(
          request,
          "revision %d is not kept (kept: %s); spec.rollout.revisionHistoryLimit sets how many are"
              .formatted(
                  number,
                  kept.stream()
                      .map(r -> Integer.toString(r.number()))
                      .collect(Collectors.joining(", "))));
      return;
    }
    Outcome rolledBack =
        new Outcome(
            Outcome.ROLLED_BACK,
            "RollbackRequested",
            "rolled back to revision %d by %s".formatted(number, request));
    Revision from = newest();
    if (stable.isPresent() && number == stable.get()) {
      if (from.number() == number || from.marked()) {
        done(request, "revision %d already serves all traffic".formatted(number));
        return;
      }
      mark(from.number(), rolledBack);
      markSpecRevision(number, rolledBack);
      done(
          request,
          "the rollout of revision %d stops; revision %d keeps serving"
              .formatted(from.number(), number));
      events.add(new Event("Normal", "RolledBack", action.message));
      return;
    }
    // Past every number in use, a ControllerRevision set aside's too.
    int renumbered = Math.max(from.number(), in.revisions().highestNumber()) + 1;
    kept.remove(wanted.get());
    if (!from.marked() && from.number() != number) {
      mark(from.number(), rolledBack);
    }
    markSpecRevision(number, rolledBack);
    kept.add(wanted.get().renumbered(renumbered, "Rollback"));
    rollbackImmediate = requests.rollbackImmediate();
    done(
        request,
        "serving revision %d again as revision %d%s"
            .formatted(
                number,
                renumbered,
                rollbackImmediate ? ", at once" : ", through the rollout strategy"));
    events.add(new Event("Normal", "RollbackStarted", action.message));
  }

  /** The spec's own revision must not pull traffic back after a rollback away from it. */
  private void markSpecRevision(int wanted, Outcome outcome) {
    int spec = in.revisions().latest().number();
    find(spec).filter(r -> r.number() != wanted && !r.marked()).ifPresent(r -> mark(spec, outcome));
  }

  // --- states ------------------------------------------------------------------------------

  /** Nothing rolls out: one revision serves; a recorded outcome of the newest is reported. */
  private RolloutPlan settled(int serving, Optional<Outcome> outcome) {
    PodCounts pods = in.podsOf(serving);
    Condition progressing;
    Optional<Condition> degraded = Optional.empty();
    if (outcome.isPresent() && !outcome.get().setAside()) {
      progressing =
          new Condition(
              false,
              progressingReason(outcome.get().reason()),
              "revision %d serves; revision %d is not rolled out again until the spec changes: %s"
                  .formatted(serving, newest().number(), outcome.get().message()));
      if (Outcome.FAILED.equals(outcome.get().kind())) {
        degraded =
            Optional.of(new Condition(true, outcome.get().reason(), outcome.get().message()));
      }
    } else if (pods.fullyReady(desired) || desired == 0) {
      progressing =
          new Condition(
              false, Reason.ROLLOUT_COMPLETE, "revision %d is rolled out".formatted(serving));
    } else {
      progressing =
          new Condition(
              true,
              Reason.ROLLING_OUT,
              "revision %d is coming up: %d/%d pods ready"
                  .formatted(serving, pods.ready(), desired));
    }
    return plan(
        serving,
        Map.of(serving, desired),
        Optional.empty(),
        progressing,
        degraded,
        Optional.empty());
  }

  private RolloutPlan rollOut(int stable, Revision target) {
    CanaryStatus c =
        in.previous()
            .filter(p -> Objects.equals(p.revision, target.number()))
            .map(Serialization::clone)
            .orElseGet(() -> start(stable, target));
    boolean fresh =
        in.previous().filter(p -> Objects.equals(p.revision, target.number())).isEmpty();
    if (fresh) {
      events.add(
          new Event(
              "Normal",
              "RolloutStarted",
              "rolling out revision %d (model version %s) beside revision %d: %s"
                  .formatted(
                      target.number(),
                      Objects.toString(target.template().model().version, "-"),
                      stable,
                      CANARY.equals(c.strategy)
                          ? "a canary in %d steps".formatted(in.rollout().steps.size())
                          : "at once, once its pods are ready")));
    }
    PodCounts pods = in.podsOf(target.number());
    if (pods.ready() > Objects.requireNonNullElse(c.readyReplicas, 0)) {
      c.lastProgressAt = now;
    }
    c.readyReplicas = pods.ready();
    handlePromoteRequest(c);
    if (IMMEDIATE.equals(c.strategy) || in.rollout().strategy == RolloutSpec.Strategy.Immediate) {
      return immediate(stable, target, c, pods);
    }
    if (PROMOTING.equals(c.phase)) {
      return promoting(stable, target, c, pods);
    }
    return canary(stable, target, c, pods);
  }

  private CanaryStatus start(int stable, Revision target) {
    CanaryStatus c = new CanaryStatus();
    c.revision = target.number();
    c.strategy =
        rollbackImmediate || in.rollout().strategy != RolloutSpec.Strategy.Canary
            ? IMMEDIATE
            : CANARY;
    c.startedAt = now;
    c.lastProgressAt = now;
    c.readyReplicas = 0;
    c.failures = 0;
    c.step = CANARY.equals(c.strategy) ? 0 : null;
    c.phase = CANARY.equals(c.strategy) ? STEPPING : null;
    return c;
  }

  private void handlePromoteRequest(CanaryStatus c) {
    if (!in.requests().promote()) {
      return;
    }
    handled.add(ManualRequests.PROMOTE);
    String request = ManualRequests.PROMOTE + "=true";
    if (CANARY.equals(c.strategy) && !PROMOTING.equals(c.phase)) {
      c.phase = PROMOTING;
      done(request, "canary revision %d skips its remaining steps".formatted(c.revision));
      events.add(new Event("Normal", "PromoteRequested", action.message));
    } else {
      done(request, "revision %d is already taking all traffic".formatted(c.revision));
    }
  }

  private void refusePromote(String why) {
    if (in.requests().promote()) {
      handled.add(ManualRequests.PROMOTE);
      refuse(ManualRequests.PROMOTE + "=true", why);
    }
  }

  /** Immediate: the new revision comes up beside the stable one and takes over when ready. */
  private RolloutPlan immediate(int stable, Revision target, CanaryStatus c, PodCounts pods) {
    if (pods.fullyReady(desired)) {
      return promoted(stable, target, "revision %d now serves all traffic (was %d)");
    }
    int surge = Objects.requireNonNullElse(in.rollout().maxSurge, desired);
    int targetPods = Math.min(desired, pods.ready() + surge);
    int stablePods = Math.min(desired, Math.max(0, desired + surge - targetPods));
    return comingUp(
        stable,
        target,
        c,
        pods.ready(),
        desired,
        replicas(stable, stablePods, target.number(), targetPods),
        Reason.ROLLING_OUT,
        "revision %d is coming up: %d/%d pods ready"
            .formatted(target.number(), pods.ready(), desired));
  }

  /** The canary passed its steps (or was promoted by hand): full size, then all traffic. */
  private RolloutPlan promoting(int stable, Revision target, CanaryStatus c, PodCounts pods) {
    if (pods.fullyReady(desired)) {
      return promoted(
          stable, target, "canary revision %d is promoted and serves all traffic (was %d)");
    }
    return comingUp(
        stable,
        target,
        c,
        pods.ready(),
        desired,
        replicas(stable, desired, target.number(), desired),
        Reason.PROMOTING,
        "canary revision %d is scaling to %d pods before it takes all traffic: %d ready"
            .formatted(target.number(), desired, pods.ready()));
  }

  private RolloutPlan promoted(int stable, Revision target, String message) {
    events.add(new Event("Normal", "RolledOut", message.formatted(target.number(), stable)));
    return plan(
        target.number(),
        Map.of(target.number(), desired),
        Optional.empty(),
        new Condition(
            false, Reason.ROLLOUT_COMPLETE, "revision %d is rolled out".formatted(target.number())),
        Optional.empty(),
        Optional.empty());
  }

  /** Canary: walk the steps, each held for its duration and judged every interval. */
  private RolloutPlan canary(int stable, Revision target, CanaryStatus c, PodCounts pods) {
    List<CanaryStep> steps = in.rollout().steps;
    int index = Math.min(Objects.requireNonNullElse(c.step, 0), steps.size() - 1);
    c.step = index;
    CanaryStep step = steps.get(index);
    int canaryPods = canaryReplicas(step.weight, desired);
    c.weight = step.weight;
    c.replicas = canaryPods;
    String at =
        "step %d/%d (%d%% asked, %d canary pods beside %d stable)"
            .formatted(index + 1, steps.size(), step.weight, canaryPods, desired);
    if (Boolean.TRUE.equals(in.rollout().paused)) {
      c.phase = PAUSED;
      return plan(
          stable,
          replicas(stable, desired, target.number(), canaryPods),
          Optional.of(c),
          new Condition(
              true,
              Reason.PAUSED,
              "canary revision %d is paused at %s by spec.rollout.paused"
                  .formatted(target.number(), at)),
          Optional.empty(),
          Optional.empty());
    }
    c.phase = STEPPING;
    if (c.stepStartedAt == null) {
      if (pods.ready() >= canaryPods) {
        c.stepStartedAt = now;
        c.lastAnalysisAt = now;
        c.lastProgressAt = now;
        events.add(
            new Event(
                "Normal", "CanaryStep", "canary revision %d at %s".formatted(target.number(), at)));
      } else {
        return comingUp(
            stable,
            target,
            c,
            pods.ready(),
            canaryPods,
            replicas(stable, desired, target.number(), canaryPods),
            Reason.CANARY_STEP,
            "canary revision %d is coming up for %s: %d/%d pods ready"
                .formatted(target.number(), at, pods.ready(), canaryPods));
      }
    } else if (in.check().isPresent()) {
      Optional<RolloutPlan> failed = judge(stable, target, c);
      if (failed.isPresent()) {
        return failed.get();
      }
    }
    Instant stepEnd = Instant.parse(c.stepStartedAt).plus(GoDuration.parse(step.duration));
    boolean passed = in.rollout().analysis == null || lastVerdictOfStepPassed(c);
    if (!in.now().isBefore(stepEnd) && passed) {
      if (index + 1 < steps.size()) {
        c.step = index + 1;
        c.stepStartedAt = null;
        c.lastProgressAt = now;
        return canary(stable, target, c, pods);
      }
      c.phase = PROMOTING;
      events.add(
          new Event(
              "Normal",
              "CanaryPassed",
              "canary revision %d passed its %d steps; it is scaled to %d pods and promoted"
                  .formatted(target.number(), steps.size(), desired)));
      return promoting(stable, target, c, pods);
    }
    String waiting =
        in.now().isBefore(stepEnd)
            ? "until " + stepEnd
            : "for a passed check (" + Objects.toString(c.analysis, "none yet") + ")";
    return plan(
        stable,
        replicas(stable, desired, target.number(), canaryPods),
        Optional.of(c),
        new Condition(
            true,
            Reason.CANARY_STEP,
            "canary revision %d at %s, held %s".formatted(target.number(), at, waiting)),
        Optional.empty(),
        Optional.of(nextWake(c, stepEnd)));
  }

  /** Records the check; the failure limit reached rolls the canary back. */
  private Optional<RolloutPlan> judge(int stable, Revision target, CanaryStatus c) {
    Check check = in.check().get();
    c.lastAnalysisAt = now;
    if (check instanceof Check.NoEarlierSample) {
      c.analysis = "measuring from " + now + ": the operator had no earlier sample of the pods";
      return Optional.empty();
    }
    AnalysisSpec spec = in.rollout().analysis;
    AnalysisVerdict v;
    if (check instanceof Check.Unavailable unavailable) {
      v = AnalysisJudge.unavailable(unavailable.message(), c.step, now);
      events.add(
          new Event(
              "Warning",
              "MetricsUnavailable",
              "canary revision %d: %s".formatted(target.number(), unavailable.message())));
    } else {
      Check.Measured measured = (Check.Measured) check;
      v = AnalysisJudge.judge(spec, measured.canary(), measured.stable(), c.step, now);
    }
    c.verdicts = new ArrayList<>(c.verdicts == null ? List.of() : c.verdicts);
    c.verdicts.add(v);
    while (c.verdicts.size() > VERDICTS_KEPT) {
      c.verdicts.remove(0);
    }
    c.analysis = v.verdict + ": " + v.message;
    if (AnalysisJudge.PASS.equals(v.verdict)) {
      c.failures = 0;
    } else if (AnalysisJudge.FAIL.equals(v.verdict)) {
      c.failures = Objects.requireNonNullElse(c.failures, 0) + 1;
      events.add(
          new Event(
              "Warning",
              "AnalysisCheckFailed",
              "canary revision %d, check %d of %d allowed: %s"
                  .formatted(target.number(), c.failures, failureLimit(spec), v.message)));
    }
    if (c.failures < failureLimit(spec)) {
      return Optional.empty();
    }
    String message =
        "canary revision %d failed %d consecutive checks at step %d/%d: %s (stable revision %d: %s)"
            .formatted(
                target.number(),
                c.failures,
                c.step + 1,
                in.rollout().steps.size(),
                v.message,
                stable,
                stableNumbers(v));
    return Optional.of(rollBack(stable, target, Reason.ANALYSIS_FAILED, message));
  }

  private static String stableNumbers(AnalysisVerdict v) {
    return "%d requests, error rate %s, p99 %s"
        .formatted(
            v.stableRequests,
            Objects.toString(v.stableErrorRate, "-"),
            Objects.toString(v.stableLatencyP99, "-"));
  }

  private static int failureLimit(AnalysisSpec spec) {
    return Math.max(1, Objects.requireNonNullElse(spec.failureLimit, 2));
  }

  private static boolean lastVerdictOfStepPassed(CanaryStatus c) {
    if (c.verdicts == null || c.verdicts.isEmpty()) {
      return false;
    }
    AnalysisVerdict last = c.verdicts.get(c.verdicts.size() - 1);
    return Objects.equals(last.step, c.step)
        && !Instant.parse(last.time).isBefore(Instant.parse(c.stepStartedAt))
        && AnalysisJudge.PASS.equals(last.verdict);
  }

  /** Pods are coming up: wait for them, or end the rollout at its progress deadline. */
  private RolloutPlan comingUp(
      int stable,
      Revision target,
      CanaryStatus c,
      int ready,
      int wanted,
      Map<Integer, Integer> replicas,
      String reason,
      String message) {
    return deadline(stable, target, c, ready, wanted)
        .orElseGet(
            () ->
                plan(
                    stable,
                    replicas,
                    Optional.of(c),
                    new Condition(true, reason, message),
                    Optional.empty(),
                    untilDeadline(c)));
  }

  /** Ends a rollout that made no progress within spec.rollout.progressDeadline. */
  private Optional<RolloutPlan> deadline(
      int stable, Revision target, CanaryStatus c, int ready, int wanted) {
    if (in.now().isBefore(deadlineOf(c))) {
      return Optional.empty();
    }
    return Optional.of(
        rollBack(
            stable,
            target,
            Reason.PROGRESS_DEADLINE_EXCEEDED,
            "revision %d had %d/%d pods ready and made no progress for %s (spec.rollout.progressDeadline)"
                .formatted(target.number(), ready, wanted, in.rollout().progressDeadline)));
  }

  /** All traffic back on the stable revision; the target is marked failed. */
  private RolloutPlan rollBack(int stable, Revision target, String reason, String message) {
    mark(target.number(), new Outcome(Outcome.FAILED, reason, message));
    events.add(new Event("Warning", Reason.ROLLED_BACK, message));
    return plan(
        stable,
        Map.of(stable, desired),
        Optional.empty(),
        new Condition(
            false, progressingReason(reason), "revision %d serves; %s".formatted(stable, message)),
        Optional.of(new Condition(true, reason, message)),
        Optional.empty());
  }

  // --- helpers -----------------------------------------------------------------------------

  /**
   * Request shares for a weighting router: a canary gets its step's weight once the step started
   * (its pods are ready), the previous step's weight until then; anything else goes to stable.
   */
  private Map<Integer, Integer> traffic(int stable, Optional<CanaryStatus> canary) {
    if (canary.isEmpty() || !CANARY.equals(canary.get().strategy)) {
      return Map.of(stable, 100);
    }
    CanaryStatus c = canary.get();
    List<CanaryStep> steps = in.rollout().steps;
    int step = Math.min(Objects.requireNonNullElse(c.step, 0), steps.size() - 1);
    int weight =
        c.stepStartedAt != null
            ? steps.get(step).weight
            : step > 0 ? steps.get(step - 1).weight : 0;
    return weight == 0 ? Map.of(stable, 100) : Map.of(stable, 100 - weight, c.revision, weight);
  }

  /** A missed deadline ends the rollout under its own reason; anything else rolled it back. */
  private static String progressingReason(String outcomeReason) {
    return Reason.PROGRESS_DEADLINE_EXCEEDED.equals(outcomeReason)
        ? Reason.PROGRESS_DEADLINE_EXCEEDED
        : Reason.ROLLED_BACK;
  }

  private Duration nextWake(CanaryStatus c, Instant stepEnd) {
    Instant next = stepEnd;
    if (in.rollout().analysis != null) {
      Instant check = Instant.parse(c.lastAnalysisAt).plus(interval(in.rollout().analysis));
      next = check.isBefore(next) || !in.now().isBefore(next) ? check : next;
    }
    return atLeastASecond(Duration.between(in.now(), next));
  }

  private Optional<Duration> untilDeadline(CanaryStatus c) {
    return Optional.of(atLeastASecond(Duration.between(in.now(), deadlineOf(c))));
  }

  /** When a rollout without further progress ends: spec.rollout.progressDeadline after the last. */
  private Instant deadlineOf(CanaryStatus c) {
    return Instant.parse(c.lastProgressAt)
        .plus(GoDuration.parse(Objects.requireNonNullElse(in.rollout().progressDeadline, "10m")));
  }

  private static Duration atLeastASecond(Duration wait) {
    return wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait;
  }

  private static Duration interval(AnalysisSpec analysis) {
    return GoDuration.parse(Objects.requireNonNullElse(analysis.interval, "30s"));
  }

  private static Map<Integer, Integer> replicas(
      int stable, int stablePods, int target, int targetPods) {
    Map<Integer, Integer> replicas = new LinkedHashMap<>();
    replicas.put(stable, stablePods);
    replicas.put(target, targetPods);
    return replicas;
  }

  private Optional<Revision> find(int number) {
    return kept.stream().filter(r -> r.number() == number).findFirst();
  }

  private Revision newest() {
    return kept.stream().max(Comparator.comparingInt(Revision::number)).orElseThrow();
  }

  private void mark(int number, Outcome outcome) {
    kept.replaceAll(r -> r.number() == number ? r.marked(outcome) : r);
  }

  private void done(String request, String message) {
    action = action(request, "Done", message);
  }

  private void refuse(String request, String message) {
    action = action(request, "Refused", message);
    events.add(new Event("Warning", "RequestRefused", request + " refused: " + message));
  }

  private ManualAction action(String request, String result, String message) {
    ManualAction a = new ManualAction();
    a.request = request;
    a.result = result;
    a.message = message;
    a.time = now;
    return a;
  }

  private RolloutPlan plan(
      int stable,
      Map<Integer, Integer> replicas,
      Optional<CanaryStatus> canary,
      Condition progressing,
      Optional<Condition> degraded,
      Optional<Duration> requeueAfter) {
    List<Revision> sorted = new ArrayList<>(kept);
    sorted.sort(Comparator.comparingInt(Revision::number));
    return new RolloutPlan(
        stable,
        Map.copyOf(replicas),
        traffic(stable, canary),
        List.copyOf(sorted),
        canary,
        progressing,
        degraded,
        List.copyOf(events),
        requeueAfter,
        Optional.ofNullable(action),
        Set.copyOf(handled));
  }
}
