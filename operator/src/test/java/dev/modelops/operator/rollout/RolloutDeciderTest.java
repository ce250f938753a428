package dev.modelops.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.CanaryStatus;
import dev.modelops.operator.api.v1alpha1.CanaryStep;
import dev.modelops.operator.api.v1alpha1.Conditions.Reason;
import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionPlan;
import dev.modelops.operator.history.RevisionTemplate;
import dev.modelops.operator.rollout.RolloutInputs.Check;
import dev.modelops.operator.rollout.RolloutInputs.ManualRequests;
import dev.modelops.operator.rollout.RolloutInputs.PodCounts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Every move of a rollout, decided on a fixed clock from hand-made observations. */
class RolloutDeciderTest {

  static final Instant T0 = Instant.parse("2026-12-02T01:00:00Z");

  static RevisionTemplate template(String version) {
    ModelSource model = new ModelSource();
    model.uri = "https://models.example/m/" + version + ".onnx";
    model.sha256 = "b".repeat(64);
    model.version = version;
    return new RevisionTemplate(model, new RuntimeSpec());
  }

  static Revision revision(int number, String version) {
    RevisionTemplate t = template(version);
    return new Revision(number, t.hash(), t, "Spec", T0.toString());
  }

  static RolloutSpec canary(String interval, String... steps) {
    RolloutSpec spec = new RolloutSpec();
    spec.strategy = RolloutSpec.Strategy.Canary;
    spec.steps = new ArrayList<>();
    for (String s : steps) {
      String[] parts = s.split("@");
      CanaryStep step = new CanaryStep();
      step.weight = Integer.parseInt(parts[0]);
      step.duration = parts[1];
      spec.steps.add(step);
    }
    if (interval != null) {
      spec.analysis = new AnalysisSpec();
      spec.analysis.interval = interval;
      spec.analysis.minRequests = 10;
      spec.analysis.maxLatencyP99 = "100ms";
    }
    return spec;
  }

  /** What one reconcile observes; each test changes what it needs. */
  static final class Scenario {
    RolloutSpec rollout = new RolloutSpec();
    int replicas = 2;
    List<Revision> kept = new ArrayList<>(List.of(revision(1, "1"), revision(2, "2")));
    int spec = 2;
    Optional<Integer> stable = Optional.of(1);
    CanaryStatus canary;
    Map<Integer, PodCounts> pods = new HashMap<>(Map.of(1, ready(2)));
    ManualRequests requests = ManualRequests.NONE;
    Optional<Check> check = Optional.empty();
    Instant now = T0;
    int highestNumber = 0;

    RolloutPlan decide() {
      Revision latest = kept.stream().filter(r -> r.number() == spec).findFirst().orElseThrow();
      RolloutPlan plan =
          RolloutDecider.decide(
              new RolloutInputs(
                  rollout,
                  replicas,
                  new RevisionPlan(
                      latest,
                      false,
                      List.copyOf(kept),
                      Math.max(
                          highestNumber, kept.stream().mapToInt(Revision::number).max().orElse(0))),
                  stable,
                  Optional.ofNullable(canary),
                  pods,
                  requests,
                  check,
                  now));
      // The next reconcile reads what this one wrote.
      canary = plan.canary().orElse(null);
      stable = Optional.of(plan.stable());
      kept = new ArrayList<>(plan.kept());
      check = Optional.empty();
      requests = ManualRequests.NONE;
      return plan;
    }

    Scenario at(Duration sinceStart) {
      now = T0.plus(sinceStart);
      return this;
    }
  }

  static PodCounts ready(int n) {
    return new PodCounts(n, n);
  }

  static Check measured(long requests, long errors, double p99Seconds) {
    return new Check.Measured(
        new IntervalStats(requests, errors, OptionalDouble.of(p99Seconds)),
        new IntervalStats(500, 0, OptionalDouble.of(0.003)));
  }

  @Test
  void theFirstRevisionServesAtOnce() {
    Scenario s = new Scenario();
    s.kept = new ArrayList<>(List.of(revision(1, "1")));
    s.spec = 1;
    s.stable = Optional.empty();
    s.pods = Map.of();
    RolloutPlan plan = s.decide();
    assertThat(plan.stable()).isEqualTo(1);
    assertThat(plan.replicas()).isEqualTo(Map.of(1, 2));
    assertThat(plan.canary()).isEmpty();
    assertThat(plan.progressing().status()).isTrue();
    assertThat(plan.progressing().reason()).isEqualTo(Reason.ROLLING_OUT);
  }

  @Test
  void immediateKeepsTheStablePodsUntilTheNewRevisionIsReadyThenHandsOver() {
    Scenario s = new Scenario();
    RolloutPlan coming = s.decide();
    assertThat(coming.replicas()).isEqualTo(Map.of(1, 2, 2, 2));
    assertThat(coming.stable()).isEqualTo(1);
    assertThat(coming.events())
        .extracting(RolloutPlan.Event::reason)
        .containsExactly("RolloutStarted");

    s.pods.put(2, ready(2));
    RolloutPlan done = s.at(Duration.ofSeconds(20)).decide();
    assertThat(done.stable()).isEqualTo(2);
    assertThat(done.replicas()).isEqualTo(Map.of(2, 2));
    assertThat(done.canary()).isEmpty();
    assertThat(done.events()).extracting(RolloutPlan.Event::reason).containsExactly("RolledOut");
    assertThat(done.progressing().reason()).isEqualTo(Reason.ROLLOUT_COMPLETE);
  }

  @Test
  void maxSurgeOneHandsOverPodByPodWithoutLoweringReadyCapacity() {
    Scenario s = new Scenario();
    s.rollout.maxSurge = 1;
    assertThat(s.decide().replicas()).isEqualTo(Map.of(1, 2, 2, 1));
    s.pods.put(2, ready(1));
    assertThat(s.decide().replicas()).isEqualTo(Map.of(1, 1, 2, 2));
    s.pods.put(1, ready(1));
    s.pods.put(2, ready(2));
    RolloutPlan done = s.decide();
    assertThat(done.stable()).isEqualTo(2);
    assertThat(done.replicas()).isEqualTo(Map.of(2, 2));
  }

  @Test
  void aRolloutWithoutProgressEndsAtItsDeadlineWithItsOwnReason() {
    Scenario s = new Scenario();
    s.rollout.progressDeadline = "5m";
    s.decide();
    s.pods.put(2, new PodCounts(1, 2));
    assertThat(s.at(Duration.ofMinutes(3)).decide().canary()).isPresent();
    // A pod became ready at 3m: the deadline counts from there.
    RolloutPlan still = s.at(Duration.ofMinutes(7)).decide();
    assertThat(still.canary()).isPresent();
    RolloutPlan ended = s.at(Duration.ofMinutes(8).plusSeconds(1)).decide();
    assertThat(ended.stable()).isEqualTo(1);
    assertThat(ended.replicas()).isEqualTo(Map.of(1, 2));
    assertThat(ended.progressing().reason()).isEqualTo(Reason.PROGRESS_DEADLINE_EXCEEDED);
    assertThat(ended.degraded().orElseThrow().reason())
        .isEqualTo(Reason.PROGRESS_DEADLINE_EXCEEDED);
    assertThat(ended.revision(2).orElseThrow().outcome().orElseThrow().kind()).isEqualTo("Failed");
    // The spec still names revision 2: it is not rolled out again.
    RolloutPlan after = s.at(Duration.ofMinutes(9)).decide();
    assertThat(after.replicas()).isEqualTo(Map.of(1, 2));
    assertThat(after.degraded()).isPresent();
    assertThat(after.events()).isEmpty();
  }

  @Test
  void aCanaryWalksItsStepsOnlyWhenItsPodsAreReadyAndItsChecksPassThenIsPromoted() {
    Scenario s = new Scenario();
    s.rollout = canary("30s", "10@1m", "50@1m");
    RolloutPlan waiting = s.decide();
    // 10% of 2 stable pods rounds to no pod: one canary pod, never fewer stable pods.
    assertThat(waiting.replicas()).isEqualTo(Map.of(1, 2, 2, 1));
    assertThat(waiting.canary().orElseThrow().stepStartedAt).isNull();
    // A weighting router sends the canary nothing before its pods are ready.
    assertThat(waiting.traffic()).isEqualTo(Map.of(1, 100));
    assertThat(RolloutDecider.analysisDue(s.rollout, s.canary, s.now.plusSeconds(60))).isFalse();

    s.pods.put(2, ready(1));
    RolloutPlan stepping = s.at(Duration.ofSeconds(10)).decide();
    assertThat(stepping.canary().orElseThrow().stepStartedAt).isEqualTo("2026-12-02T01:00:10Z");
    assertThat(stepping.events())
        .extracting(RolloutPlan.Event::reason)
        .containsExactly("CanaryStep");
    assertThat(stepping.requeueAfter()).contains(Duration.ofSeconds(30));
    assertThat(stepping.traffic()).isEqualTo(Map.of(1, 90, 2, 10));
    assertThat(RolloutDecider.analysisDue(s.rollout, s.canary, T0.plusSeconds(39))).isFalse();
    assertThat(RolloutDecider.analysisDue(s.rollout, s.canary, T0.plusSeconds(40))).isTrue();

    s.check = Optional.of(measured(100, 0, 0.004));
    RolloutPlan passed = s.at(Duration.ofSeconds(40)).decide();
    assertThat(passed.canary().orElseThrow().verdicts)
        .extracting(v -> v.verdict)
        .containsExactly("Pass");
    assertThat(passed.canary().orElseThrow().step).isZero();

    s.check = Optional.of(measured(100, 0, 0.004));
    RolloutPlan next = s.at(Duration.ofSeconds(70)).decide();
    // Step 2 asks 50%: two canary pods beside two stable ones, and waits for them.
    assertThat(next.canary().orElseThrow().step).isEqualTo(1);
    assertThat(next.canary().orElseThrow().stepStartedAt).isNull();
    assertThat(next.replicas()).isEqualTo(Map.of(1, 2, 2, 2));
    // Until step 2's pods are ready the canary keeps step 1's share.
    assertThat(next.traffic()).isEqualTo(Map.of(1, 90, 2, 10));

    s.pods.put(2, ready(2));
    s.at(Duration.ofSeconds(80)).decide();
    s.check = Optional.of(measured(100, 0, 0.004));
    s.at(Duration.ofSeconds(110)).decide();
    s.check = Optional.of(measured(100, 0, 0.004));
    RolloutPlan promoted = s.at(Duration.ofSeconds(140)).decide();
    assertThat(promoted.stable()).isEqualTo(2);
    assertThat(promoted.replicas()).isEqualTo(Map.of(2, 2));
    assertThat(promoted.traffic()).isEqualTo(Map.of(2, 100));
    assertThat(promoted.events())
        .extracting(RolloutPlan.Event::reason)
        .containsExactly("CanaryPassed", "RolledOut");
  }

  @Test
  void tooFewRequestsAreInconclusiveAndHoldTheStepWithoutFailing() {
    Scenario s = new Scenario();
    s.rollout = canary("30s", "10@30s");
    s.pods.put(2, ready(1));
    s.decide();
    s.check = Optional.of(measured(3, 3, 0.5));
    RolloutPlan held = s.at(Duration.ofSeconds(30)).decide();
    CanaryStatus c = held.canary().orElseThrow();
    assertThat(c.verdicts).extracting(v -> v.verdict).containsExactly("Inconclusive");
    assertThat(c.failures).isZero();
    assertThat(c.phase).isEqualTo(RolloutDecider.STEPPING);
    assertThat(held.progressing().message()).contains("fewer than minRequests 10");
    assertThat(held.stable()).isEqualTo(1);
  }

  @Test
  void failedChecksUpToTheLimitRollTheCanaryBackWithItsNumbers() {
    Scenario s = new Scenario();
    s.rollout = canary("30s", "10@5m");
    s.pods.put(2, ready(1));
    s.decide();
    s.check = Optional.of(measured(100, 40, 0.004));
    RolloutPlan once = s.at(Duration.ofSeconds(30)).decide();
    assertThat(once.canary().orElseThrow().failures).isEqualTo(1);
    assertThat(once.events())
        .extracting(RolloutPlan.Event::reason)
        .containsExactly("AnalysisCheckFailed");

    s.check = Optional.of(measured(100, 0, 0.400));
    RolloutPlan back = s.at(Duration.ofSeconds(60)).decide();
    assertThat(back.stable()).isEqualTo(1);
    assertThat(back.replicas()).isEqualTo(Map.of(1, 2));
    assertThat(back.canary()).isEmpty();
    assertThat(back.progressing().reason()).isEqualTo(Reason.ROLLED_BACK);
    assertThat(back.degraded().orElseThrow().reason()).isEqualTo(Reason.ANALYSIS_FAILED);
    assertThat(back.degraded().orElseThrow().message())
        .contains("p99 latency 400ms is over maxLatencyP99 100ms")
        .contains("stable revision 1: 500 requests");
    assertThat(back.revision(2).orElseThrow().outcome().orElseThrow().reason())
        .isEqualTo(Reason.ANALYSIS_FAILED);
  }

  @Test
  void aPassBetweenFailuresResetsTheCount() {
    Scenario s = new Scenario();
    s.rollout = canary("30s", "10@5m");
    s.pods.put(2, ready(1));
    s.decide();
    s.check = Optional.of(measured(100, 40, 0.004));
    s.at(Duration.ofSeconds(30)).decide();
    s.check = Optional.of(measured(100, 0, 0.004));
    s.at(Duration.ofSeconds(60)).decide();
    s.check = Optional.of(measured(100, 40, 0.004));
    RolloutPlan plan = s.at(Duration.ofSeconds(90)).decide();
    assertThat(plan.canary().orElseThrow().failures).isEqualTo(1);
  }

  @Test
  void unreadableMetricsAreInconclusiveWithAWarningAndNeverCountAsAFailure() {
    Scenario s = new Scenario();
    s.rollout = canary("30s", "10@5m");
    s.pods.put(2, ready(1));
    s.decide();
    s.check = Optional.of(measured(100, 40, 0.004));
    s.at(Duration.ofSeconds(30)).decide();
    s.check = Optional.of(new Check.Unavailable("Prometheus at http://prom:9090/ did not answer"));
    RolloutPlan plan = s.at(Duration.ofSeconds(60)).decide();
    CanaryStatus c = plan.canary().orElseThrow();
    assertThat(c.verdicts).extracting(v -> v.verdict).containsExactly("Fail", "Inconclusive");
    assertThat(c.verdicts.get(1).message)
        .isEqualTo(
            "no numbers for this interval: Prometheus at http://prom:9090/ did not answer; the"
                + " step waits for another one");
    assertThat(c.failures).as("a failure limit of 2 is not reached by a missing check").isOne();
    assertThat(c.phase).isEqualTo(RolloutDecider.STEPPING);
    assertThat(plan.events())
        .extracting(RolloutPlan.Event::type, RolloutPlan.Event::reason)
        .containsExactly(tuple("Warning", "MetricsUnavailable"));
  }

  @Test
  void withoutAnEarlierSampleTheIntervalRestartsAndNothingIsJudged() {
    Scenario s = new Scenario();
    s.rollout = canary("30s", "10@5m");
    s.pods.put(2, ready(1));
    s.decide();
    s.check = Optional.of(new Check.NoEarlierSample());
    RolloutPlan plan = s.at(Duration.ofSeconds(45)).decide();
    CanaryStatus c = plan.canary().orElseThrow();
    assertThat(c.verdicts).isEmpty();
    assertThat(c.lastAnalysisAt).isEqualTo("2026-12-02T01:00:45Z");
  }

  @Test
  void pausedHoldsTheStepAndPromoteSkipsTheRemainingSteps() {
    Scenario s = new Scenario();
    s.rollout = canary(null, "10@1m", "50@1m");
    s.pods.put(2, ready(1));
    s.decide();
    s.rollout.paused = true;
    RolloutPlan paused = s.at(Duration.ofMinutes(5)).decide();
    assertThat(paused.canary().orElseThrow().step).isZero();
    assertThat(paused.progressing().reason()).isEqualTo(Reason.PAUSED);
    assertThat(RolloutDecider.analysisDue(s.rollout, s.canary, s.now)).isFalse();

    s.requests = new ManualRequests(true, Optional.empty(), false);
    RolloutPlan promoting = s.at(Duration.ofMinutes(6)).decide();
    assertThat(promoting.handled()).containsExactly(ManualRequests.PROMOTE);
    assertThat(promoting.canary().orElseThrow().phase).isEqualTo(RolloutDecider.PROMOTING);
    assertThat(promoting.replicas()).isEqualTo(Map.of(1, 2, 2, 2));
    assertThat(promoting.action().orElseThrow().result).isEqualTo("Done");
  }

  @Test
  void aSpecChangeInTheMiddleOfACanarySupersedesIt() {
    Scenario s = new Scenario();
    s.rollout = canary(null, "10@1m");
    s.decide();
    s.kept.add(revision(3, "3"));
    s.spec = 3;
    RolloutPlan plan = s.at(Duration.ofSeconds(20)).decide();
    assertThat(plan.replicas()).isEqualTo(Map.of(1, 2, 3, 1));
    assertThat(plan.canary().orElseThrow().revision).isEqualTo(3);
    assertThat(plan.canary().orElseThrow().step).isZero();
  }

  @Test
  void rollbackToAnUnknownRevisionIsRefusedAndChangesNothing() {
    Scenario s = new Scenario();
    s.spec = 2;
    s.stable = Optional.of(2);
    s.pods = new HashMap<>(Map.of(2, ready(2)));
    s.requests = new ManualRequests(false, Optional.of("7"), false);
    RolloutPlan plan = s.decide();
    assertThat(plan.replicas()).isEqualTo(Map.of(2, 2));
    assertThat(plan.action().orElseThrow().result).isEqualTo("Refused");
    assertThat(plan.action().orElseThrow().message).contains("revision 7 is not kept (kept: 1, 2)");
    assertThat(plan.events()).extracting(RolloutPlan.Event::type).containsExactly("Warning");
    assertThat(plan.handled()).containsExactly(ManualRequests.ROLLBACK_TO);
    assertThat(plan.kept()).extracting(Revision::number).containsExactly(1, 2);
  }

  @Test
  void rollbackToServesTheOldRevisionAgainUnderANewNumberAndTheSpecsRevisionStaysOut() {
    Scenario s = new Scenario();
    s.rollout = canary(null, "10@1m");
    s.stable = Optional.of(2);
    s.pods = new HashMap<>(Map.of(2, ready(2)));
    s.requests = new ManualRequests(false, Optional.of("1"), true);
    RolloutPlan plan = s.decide();
    assertThat(plan.kept()).extracting(Revision::number).containsExactly(2, 3);
    Revision three = plan.revision(3).orElseThrow();
    assertThat(three.template().model().version).isEqualTo("1");
    assertThat(three.source()).isEqualTo("Rollback");
    assertThat(plan.revision(2).orElseThrow().outcome().orElseThrow().kind())
        .isEqualTo("RolledBack");
    // rollback-immediate: no canary steps, the old model comes up at full size beside the stable.
    assertThat(plan.canary().orElseThrow().strategy).isEqualTo(RolloutDecider.IMMEDIATE);
    assertThat(plan.replicas()).isEqualTo(Map.of(2, 2, 3, 2));
    assertThat(plan.handled())
        .containsExactlyInAnyOrder(ManualRequests.ROLLBACK_TO, ManualRequests.ROLLBACK_IMMEDIATE);

    s.pods.put(3, ready(2));
    RolloutPlan done = s.at(Duration.ofSeconds(30)).decide();
    assertThat(done.stable()).isEqualTo(3);
    assertThat(done.replicas()).isEqualTo(Map.of(3, 2));
    assertThat(done.progressing().reason()).isEqualTo(Reason.ROLLOUT_COMPLETE);
  }

  @Test
  void rollbackToNumbersPastANumberHeldByAControllerRevisionSetAside() {
    Scenario s = new Scenario();
    s.stable = Optional.of(2);
    s.pods = new HashMap<>(Map.of(2, ready(2)));
    s.highestNumber = 5;
    s.requests = new ManualRequests(false, Optional.of("1"), false);
    assertThat(s.decide().kept()).extracting(Revision::number).containsExactly(2, 6);
  }

  @Test
  void canaryPodsMatchTheWeightAsNearAsWholePodsAllow() {
    assertThat(RolloutDecider.canaryReplicas(10, 2)).isEqualTo(1);
    assertThat(RolloutDecider.canaryReplicas(50, 2)).isEqualTo(2);
    assertThat(RolloutDecider.canaryReplicas(25, 3)).isEqualTo(1);
    assertThat(RolloutDecider.canaryReplicas(20, 8)).isEqualTo(2);
    assertThat(RolloutDecider.canaryReplicas(90, 1)).isEqualTo(9);
  }

  /** A retrained revision, newer than the spec's: rolled out as a canary like any newest one. */
  @Test
  void aRetrainedRevisionRollsOutAsACanaryBesideTheSpecsRevision() {
    Scenario s = new Scenario();
    s.rollout = canary(null, "50@1m");
    RevisionTemplate t = template("2-retrained");
    s.kept =
        new ArrayList<>(
            List.of(revision(1, "1"), new Revision(2, t.hash(), t, "Retraining", null)));
    s.spec = 1;
    RolloutPlan plan = s.decide();
    assertThat(plan.canary()).get().extracting(c -> c.revision).isEqualTo(2);
    assertThat(plan.replicas()).containsEntry(1, 2).containsEntry(2, 2);
    assertThat(plan.events()).extracting(RolloutPlan.Event::reason).contains("RolloutStarted");
  }

  /** promote: None sets the retrained revision aside: recorded, not rolled out, not a failure. */
  @Test
  void aRecordedRevisionIsNotRolledOutAndIsNoFailure() {
    Scenario s = new Scenario();
    s.rollout = canary(null, "50@1m");
    RevisionTemplate t = template("2-retrained");
    Revision recorded =
        new Revision(2, t.hash(), t, "Retraining", null)
            .marked(new Revision.Outcome(Revision.Outcome.RECORDED, "PromoteNone", "recorded"));
    s.kept = new ArrayList<>(List.of(revision(1, "1"), recorded));
    s.spec = 1;
    RolloutPlan plan = s.decide();
    assertThat(plan.canary()).isEmpty();
    assertThat(plan.replicas()).containsOnlyKeys(1);
    assertThat(plan.progressing().reason()).isEqualTo(Reason.ROLLOUT_COMPLETE);
    assertThat(plan.degraded()).isEmpty();
  }
}
