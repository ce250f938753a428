package dev.modelops.operator.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.BaselineSource;
import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.api.v1alpha1.RetrainingSpec;
import dev.modelops.operator.api.v1alpha1.RetrainingStatus;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionTemplate;
import dev.modelops.operator.rollout.RolloutPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Retraining decided at a fixed clock from the Jobs that exist and the drift verdict. */
class RetrainingDeciderTest {

  static final Instant T0 = Instant.parse("2026-12-02T01:00:00Z");
  static final String SHA = "ab".repeat(32);
  static final String REPORT =
      "{\"uri\":\"http://models.example/iris/2.onnx\",\"sha256\":\"%s\",\"version\":\"2\"}"
          .formatted(SHA);

  static RevisionTemplate template() {
    ModelSource model = new ModelSource();
    model.uri = "http://models.example/iris/1.onnx";
    model.sha256 = "cd".repeat(32);
    model.version = "1";
    return new RevisionTemplate(model, new RuntimeSpec());
  }

  static final Revision STABLE = new Revision(1, template().hash(), template(), "Spec", null);

  /** The inputs of one reconcile, changed one field at a time. */
  static final class In {
    RetrainingSpec spec = spec("6h", RetrainingSpec.Promote.Canary);
    Optional<Instant> driftSince = Optional.of(T0);
    List<ObservedJob> jobs = List.of();
    Optional<String> report = Optional.empty();
    RetrainingStatus recorded;
    RolloutPlan.Condition condition;
    boolean rollout;
    Optional<Integer> stable = Optional.of(1);
    List<Revision> kept = List.of(STABLE);
    int highestNumber = 1;
    Instant now = T0;

    /**
     * The first Job started (one step at T0) and succeeded reporting {@code report}, read 90 s
     * later: the next step decides on the report.
     */
    static In reported(String report) {
      In in = new In();
      in.step();
      in.jobs = List.of(job(1, 1, T0, ObservedJob.State.SUCCEEDED));
      in.report = Optional.of(report);
      in.now = T0.plusSeconds(90);
      return in;
    }

    RetrainingDecision decide() {
      return RetrainingDecider.decide(
          new RetrainingInputs(
              spec,
              driftSince,
              "psi 0.9 on revision 1 is over the threshold 0.1",
              jobs,
              report,
              Optional.ofNullable(recorded),
              Optional.ofNullable(condition),
              rollout,
              stable,
              template(),
              Optional.of(baseline()),
              kept,
              highestNumber,
              "iris",
              now));
    }

    /** Decides, then records what was decided, as the status write does. */
    RetrainingDecision step() {
      RetrainingDecision d = decide();
      recorded = d.status().orElse(null);
      condition = d.condition().orElse(null);
      return d;
    }
  }

  static RetrainingSpec spec(String cooldown, RetrainingSpec.Promote promote) {
    RetrainingSpec s = new RetrainingSpec();
    s.cooldown = cooldown;
    s.promote = promote;
    return s;
  }

  static BaselineSource baseline() {
    BaselineSource b = new BaselineSource();
    b.uri = "http://models.example/iris/baseline.json";
    b.sha256 = "ef".repeat(32);
    return b;
  }

  static ObservedJob job(int seq, int attempt, Instant created, ObservedJob.State state) {
    return new ObservedJob(
        "iris-retrain-" + seq,
        seq,
        attempt,
        created,
        state,
        state == ObservedJob.State.RUNNING
            ? Optional.empty()
            : Optional.of(created.plusSeconds(60)),
        state == ObservedJob.State.FAILED ? "BackoffLimitExceeded: Job has reached the limit" : "");
  }

  static List<String> reasons(RetrainingDecision d) {
    return d.events().stream().map(RolloutPlan.Event::reason).toList();
  }

  @Test
  void withoutSpecRetrainingNothingIsDecided() {
    In in = new In();
    in.spec = null;
    assertThat(in.decide()).isEqualTo(RetrainingDecision.NONE);
  }

  @Test
  void withoutDriftNoJobStartsAndTheConditionSaysWhatWouldStartOne() {
    In in = new In();
    in.driftSince = Optional.empty();
    RetrainingDecision d = in.decide();
    assertThat(d.create()).isEmpty();
    assertThat(d.condition()).get().extracting(RolloutPlan.Condition::reason).isEqualTo("Idle");
    assertThat(d.condition().get().status()).isFalse();
    assertThat(d.events()).isEmpty();
  }

  @Test
  void driftStartsTheFirstJobWithAnEvent() {
    In in = new In();
    RetrainingDecision d = in.decide();
    assertThat(d.create()).contains(new RetrainingDecision.JobRequest("iris-retrain-1", 1, 1));
    assertThat(d.condition().get().status()).isTrue();
    assertThat(d.condition().get().reason()).isEqualTo("JobRunning");
    assertThat(d.condition().get().message()).contains("iris-retrain-1").contains("psi 0.9");
    assertThat(d.status().get().phase).isEqualTo("Running");
    assertThat(d.status().get().triggeredAt).isEqualTo("2026-12-02T01:00:00Z");
    assertThat(reasons(d)).containsExactly("RetrainingStarted");
  }

  @Test
  void aRunningJobIsTheOnlyOneEvenWhenStatusIsLost() {
    In in = new In();
    in.jobs = List.of(job(4, 1, T0.minusSeconds(30), ObservedJob.State.RUNNING));
    in.now = T0.plus(Duration.ofDays(1));
    // No status at all (a restarted operator with a lost status): the Job itself says it runs.
    RetrainingDecision d = in.decide();
    assertThat(d.create()).isEmpty();
    assertThat(d.condition().get().reason()).isEqualTo("JobRunning");
    assertThat(d.status().get().job).isEqualTo("iris-retrain-4");
    assertThat(d.events()).isEmpty();
  }

  @Test
  void aValidReportBecomesARetrainingRevisionOnceAndRollsOut() {
    In in = In.reported(REPORT);
    RetrainingDecision d = in.step();
    assertThat(d.revision())
        .get()
        .satisfies(
            r -> {
              assertThat(r.number()).isEqualTo(2);
              assertThat(r.source()).isEqualTo("Retraining");
              assertThat(r.template().model().uri).isEqualTo("http://models.example/iris/2.onnx");
              assertThat(r.template().model().sha256).isEqualTo(SHA);
              assertThat(r.template().model().version).isEqualTo("2");
              assertThat(r.outcome()).as("rolled out, not set aside").isEmpty();
              assertThat(r.baseline().map(b -> b.uri)).contains(baseline().uri);
            });
    assertThat(d.condition().get().reason()).isEqualTo("Succeeded");
    assertThat(d.condition().get().message()).contains("revision 2").contains("version 2");
    assertThat(d.status().get().revision).isEqualTo(2);
    assertThat(d.status().get().nextAttemptAt).isEqualTo("2026-12-02T07:00:00Z");
    assertThat(d.create()).as("no new Job in the reconcile that records a result").isEmpty();
    assertThat(reasons(d)).containsExactly("RetrainingSucceeded");

    // The next reconcile: read once, nothing again, even with the report still there.
    in.kept = List.of(STABLE, d.revision().get());
    in.report = Optional.empty();
    assertThat(RetrainingDecider.reportWanted(in.jobs, Optional.of(in.recorded))).isFalse();
    RetrainingDecision again = in.step();
    assertThat(again.revision()).isEmpty();
    assertThat(again.create()).isEmpty();
    assertThat(again.condition().get().reason()).isEqualTo("Succeeded");
    assertThat(again.events()).isEmpty();
  }

  @Test
  void aReportedUrisCredentialsAreNotInTheConditionNorTheEvent() {
    In in =
        In.reported(
            REPORT.replace(
                "http://models.example/iris/2.onnx",
                "https://bob:pw@models.example/iris/2.onnx?X-Amz-Signature=tok3n"));
    RetrainingDecision d = in.step();
    // The revision keeps the whole URI: its pods fetch from it.
    assertThat(d.revision().orElseThrow().template().model().uri).contains("tok3n");
    assertThat(d.condition().get().message())
        .contains("(https://***@models.example/iris/2.onnx?***)")
        .doesNotContain("tok3n", "pw@");
    assertThat(d.events())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).doesNotContain("tok3n", "pw@"));
  }

  @Test
  void aReportedBaselineIsTheRetrainedRevisionsOwn() {
    In in =
        In.reported(
            REPORT.replace(
                "}",
                ",\"baseline\":{\"uri\":\"http://models.example/iris/2-baseline.json\",\"sha256\":\"%s\"}}"
                    .formatted(SHA)));
    Revision made = in.step().revision().orElseThrow();
    assertThat(made.baseline().map(b -> b.uri))
        .contains("http://models.example/iris/2-baseline.json");
    assertThat(made.baseline().map(b -> b.sha256)).contains(SHA);
    assertThat(made.template().model().baseline).as("outside the template's hash").isNull();
  }

  @Test
  void aRetrainedRevisionIsNumberedPastANumberHeldByAControllerRevisionSetAside() {
    In in = In.reported(REPORT);
    in.highestNumber = 5;
    assertThat(in.step().revision()).get().satisfies(r -> assertThat(r.number()).isEqualTo(6));
  }

  @Test
  void promoteNoneRecordsTheRevisionSetAside() {
    In in = new In();
    in.spec = spec("6h", RetrainingSpec.Promote.None);
    in.jobs = List.of(job(1, 1, T0, ObservedJob.State.SUCCEEDED));
    in.report = Optional.of(REPORT);
    RetrainingDecision d = in.decide();
    assertThat(d.revision().get().outcome())
        .get()
        .satisfies(
            o -> {
              assertThat(o.kind()).isEqualTo("Recorded");
              assertThat(o.setAside()).isTrue();
              assertThat(o.message()).contains("modelops.dev/rollback-to=2");
            });
    assertThat(d.condition().get().message()).contains("not rolled out");
  }

  @Test
  void aReportOfAKeptRevisionMakesNoSecondOne() {
    In in = new In();
    in.jobs = List.of(job(1, 1, T0, ObservedJob.State.SUCCEEDED));
    in.report =
        Optional.of(
            "{\"uri\":\"http://models.example/iris/1.onnx\",\"sha256\":\"%s\",\"version\":\"1\"}"
                .formatted("cd".repeat(32)));
    RetrainingDecision d = in.decide();
    assertThat(d.revision()).isEmpty();
    assertThat(d.status().get().revision).isEqualTo(1);
    assertThat(d.condition().get().message()).contains("revision 1 already");
  }

  @Test
  void aMalformedOrMissingReportIsInvalidReportNotACrash() {
    for (String message : new String[] {"", "{\"uri\":\"ftp://x/m.onnx\"}", "{not json"}) {
      In in = new In();
      in.jobs = List.of(job(1, 1, T0, ObservedJob.State.SUCCEEDED));
      in.report = Optional.of(message);
      RetrainingDecision d = in.step();
      assertThat(d.revision()).as(message).isEmpty();
      assertThat(d.condition().get().status()).isFalse();
      assertThat(d.condition().get().reason()).isEqualTo("InvalidReport");
      assertThat(d.condition().get().message()).contains("iris-retrain-1");
      assertThat(d.status().get().phase).isEqualTo("InvalidReport");
      assertThat(reasons(d)).containsExactly("RetrainingInvalidReport");
      assertThat(d.events().get(0).type()).isEqualTo("Warning");
      // Not retried: the next Job comes after the cooldown, and the reason stays meanwhile.
      in.now = T0.plus(Duration.ofHours(1));
      RetrainingDecision later = in.step();
      assertThat(later.create()).isEmpty();
      assertThat(later.condition().get().reason()).isEqualTo("InvalidReport");
    }
  }

  @Test
  void theCooldownHoldsTheNextTriggerFromTheLastJobsStart() {
    In in = new In();
    in.jobs = List.of(job(1, 1, T0, ObservedJob.State.SUCCEEDED));
    in.report = Optional.of(REPORT);
    in.step();
    in.report = Optional.empty();
    in.kept = List.of(STABLE);
    // Drift seen again after the last Job: CoolingDown, woken at the cooldown's end.
    in.driftSince = Optional.of(T0.plus(Duration.ofHours(2)));
    in.now = T0.plus(Duration.ofHours(3));
    RetrainingDecision cooling = in.step();
    assertThat(cooling.create()).isEmpty();
    assertThat(cooling.condition().get().reason()).isEqualTo("CoolingDown");
    assertThat(cooling.condition().get().message()).contains("2026-12-02T07:00:00Z");
    assertThat(cooling.requeueAfter()).contains(Duration.ofHours(3));
    assertThat(reasons(cooling)).containsExactly("RetrainingCoolingDown");
    assertThat(in.step().events()).as("said once").isEmpty();

    in.now = T0.plus(Duration.ofHours(6)).minusSeconds(1);
    assertThat(in.step().create()).isEmpty();
    in.now = T0.plus(Duration.ofHours(6));
    RetrainingDecision next = in.step();
    assertThat(next.create()).contains(new RetrainingDecision.JobRequest("iris-retrain-2", 2, 1));
  }

  @Test
  void driftOnTheRetrainedModelOnceItServesIsCoolingDown() {
    In in = In.reported(REPORT);
    RetrainingDecision d = in.step();
    in.kept = List.of(STABLE, d.revision().orElseThrow());
    in.report = Optional.empty();
    // The canary runs: the drift is the old model's, still detected since before the Job.
    in.rollout = true;
    in.now = T0.plusSeconds(120);
    assertThat(in.step().condition().get().reason()).isEqualTo("Succeeded");
    // Promoted, and its inputs drift too (the condition never left True).
    in.rollout = false;
    in.stable = Optional.of(2);
    in.now = T0.plusSeconds(180);
    RetrainingDecision cooling = in.step();
    assertThat(cooling.condition().get().reason()).isEqualTo("CoolingDown");
    assertThat(cooling.create()).isEmpty();
    assertThat(reasons(cooling)).containsExactly("RetrainingCoolingDown");
  }

  @Test
  void aRetrainedRevisionRolledBackIsSaidUntilTheNextJobWhichTheCooldownHolds() {
    In in = In.reported(REPORT);
    Revision made = in.step().revision().orElseThrow();
    in.report = Optional.empty();
    // Its canary failed the analysis: rolled back, revision 1 still serves, drift still seen.
    in.kept =
        List.of(
            STABLE,
            made.marked(
                new Revision.Outcome(
                    Revision.Outcome.FAILED,
                    "AnalysisFailed",
                    "canary revision 2 failed 2 consecutive checks: predictions' Jensen-Shannon"
                        + " distance from the training labels 0.639")));
    in.now = T0.plusSeconds(300);
    RetrainingDecision failed = in.step();
    assertThat(failed.condition().get().reason()).isEqualTo("RevisionFailed");
    assertThat(failed.condition().get().message())
        .startsWith(
            "revision 2, the model Job iris-retrain-1 made, failed its rollout and was rolled back")
        .contains("training labels 0.639")
        .contains("spec.retraining.cooldown 6h holds the next Job until 2026-12-02T07:00:00Z");
    assertThat(failed.create()).isEmpty();
    assertThat(reasons(failed)).containsExactly("RetrainingRevisionFailed");
    in.now = T0.plusSeconds(400);
    assertThat(reasons(in.step())).as("said once").isEmpty();
    // After the cooldown, drift still seen: the next Job.
    in.now = T0.plus(Duration.ofHours(6)).plusSeconds(1);
    assertThat(in.step().create()).isPresent();
  }

  @Test
  void noTriggerWhileARolloutIsInProgress() {
    In in = new In();
    in.rollout = true;
    RetrainingDecision d = in.step();
    assertThat(d.create()).isEmpty();
    assertThat(d.condition().get().reason()).isEqualTo("WaitingForRollout");
    in.rollout = false;
    assertThat(in.step().create()).isPresent();
  }

  @Test
  void aFailedJobIsReportedAndRetriedWithExponentialBackoff() {
    In in = new In();
    in.step();
    Instant created = T0;
    for (int attempt = 1; attempt <= 4; attempt++) {
      ObservedJob failed = job(attempt, attempt, created, ObservedJob.State.FAILED);
      Instant finished = failed.finishedAt().orElseThrow();
      Duration wait = Duration.ofMinutes(1L << (attempt - 1));
      in.jobs = List.of(failed);
      in.now = finished;
      RetrainingDecision d = in.step();
      assertThat(d.create()).as("attempt %d, at once", attempt).isEmpty();
      assertThat(d.condition().get().reason()).isEqualTo("JobFailed");
      assertThat(d.condition().get().message())
          .contains("BackoffLimitExceeded")
          .contains("attempt " + (attempt + 1));
      assertThat(d.requeueAfter()).contains(wait);
      assertThat(reasons(d)).containsExactly("RetrainingFailed");
      in.now = finished.plus(wait).minusSeconds(1);
      RetrainingDecision early = in.step();
      assertThat(early.create()).isEmpty();
      assertThat(early.events()).as("the failure is said once").isEmpty();
      in.now = finished.plus(wait);
      RetrainingDecision retry = in.step();
      assertThat(retry.create())
          .contains(
              new RetrainingDecision.JobRequest(
                  "iris-retrain-" + (attempt + 1), attempt + 1, attempt + 1));
      created = in.now;
    }
  }

  @Test
  void backoffDoublesAndIsCappedByTheCooldownAndAnHour() {
    assertThat(RetrainingDecider.backoff(1, Duration.ofHours(6))).isEqualTo(Duration.ofMinutes(1));
    assertThat(RetrainingDecider.backoff(3, Duration.ofHours(6))).isEqualTo(Duration.ofMinutes(4));
    assertThat(RetrainingDecider.backoff(10, Duration.ofHours(6))).isEqualTo(Duration.ofHours(1));
    assertThat(RetrainingDecider.backoff(40, Duration.ofHours(6))).isEqualTo(Duration.ofHours(1));
    assertThat(RetrainingDecider.backoff(3, Duration.ofMinutes(3)))
        .isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void aFailedJobIsNotRetriedOnceDriftIsGone() {
    In in = new In();
    in.jobs = List.of(job(1, 1, T0, ObservedJob.State.FAILED));
    in.driftSince = Optional.empty();
    in.now = T0.plus(Duration.ofHours(1));
    RetrainingDecision d = in.decide();
    assertThat(d.create()).isEmpty();
    assertThat(d.condition().get().message()).contains("no retry");
  }

  @Test
  void theNextJobsNumberFollowsTheJobsAndTheStatusSoANameIsNeverReused() {
    In in = new In();
    // The Jobs are gone (a ttlSecondsAfterFinished), status still names the last one.
    in.recorded = new RetrainingStatus();
    in.recorded.job = "iris-retrain-7";
    in.recorded.phase = "Succeeded";
    in.recorded.triggeredAt = "2026-12-01T01:00:00Z";
    RetrainingDecision d = in.decide();
    assertThat(d.create()).contains(new RetrainingDecision.JobRequest("iris-retrain-8", 8, 1));

    // ... and the cooldown still counts from the recorded start.
    in.recorded.triggeredAt = "2026-12-02T00:00:00Z";
    assertThat(in.decide().create()).isEmpty();
  }

  @Test
  void aRunningJobThatIsGoneIsAFailureAndItsCooldownStillCounts() {
    In in = new In();
    in.step();
    in.jobs = List.of();
    in.now = T0.plus(Duration.ofMinutes(10));
    RetrainingDecision d = in.step();
    assertThat(d.create()).isEmpty();
    assertThat(d.condition().get().reason()).isEqualTo("JobFailed");
    assertThat(d.condition().get().message()).contains("iris-retrain-1").contains("gone");
    assertThat(reasons(d)).containsExactly("RetrainingFailed");
    assertThat(d.status().get().triggeredAt).isEqualTo("2026-12-02T01:00:00Z");
    in.now = T0.plus(Duration.ofHours(1));
    RetrainingDecision later = in.step();
    assertThat(later.create()).isEmpty();
    assertThat(later.events()).isEmpty();
    in.now = T0.plus(Duration.ofHours(6));
    assertThat(in.step().create())
        .contains(new RetrainingDecision.JobRequest("iris-retrain-2", 2, 1));
  }

  @Test
  void jobNamesFitSixtyThreeCharacters() {
    String name = RetrainingDecider.jobName("a".repeat(70), 12);
    assertThat(name).hasSize(63).endsWith("-retrain-12");
    assertThat(RetrainingDecider.jobName("a".repeat(53) + "-b", 1)).doesNotContain("--");
  }
}
