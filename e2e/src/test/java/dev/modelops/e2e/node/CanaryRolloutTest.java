package dev.modelops.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.sandbox.ClusterForward;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Rollouts on the sandbox's real node, driven by hand and through the operator's restarts: rollback
 * to a chosen revision, the operator pod killed between steps, in the middle of an analysis and
 * during a promotion, `paused`, a spec change mid-canary, and the Gateway API's weighted routes; a
 * load generator counts every answer that is not a 200.
 *
 * <p>One of the two longest classes of the module, so it starts early (junit-platform.properties).
 */
@Order(Schedule.BACK_1)
class CanaryRolloutTest extends RolloutTestBase {

  @Override
  String clusterName() {
    return "canary";
  }

  @Override
  List<String> clusterOptions() {
    return List.of("--gateway-api");
  }

  @Test
  void rollbackToAnEarlierRevisionServesItAgainAndAnUnknownOneIsRefused() throws Exception {
    Map<String, Object> immediate = Map.of("strategy", "Immediate");
    apply("iris", spec("1", "mlp.onnx", immediate));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    try (ClusterForward forward = service("iris");
        LoadGenerator load = steadyLoad(forward)) {
      apply("iris", spec("2", "mlp.onnx", immediate));
      awaitStable("iris", 2);

      annotate("iris", "modelops.dev/rollback-to=1");
      awaitStable("iris", 3);
      awaitCondition("iris", "Progressing", "False", "RolloutComplete");
      awaitEvents("iris", "RollbackStarted");
      Map<Integer, Map<String, Object>> revisions = revisions("iris");
      assertThat(revisions.get(3))
          .containsEntry("modelVersion", "1")
          .containsEntry("source", "Rollback")
          .containsEntry("phase", "Serving");
      assertThat(revisions.get(2)).containsEntry("phase", "RolledBack");
      assertThat(revisions).doesNotContainKey(1);
      await("the rollback-to annotation removed")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(get("iris").getMetadata().getAnnotations())
                      .doesNotContainKey("modelops.dev/rollback-to"));
      await("revision 2's Deployment retired")
          .atMost(WAIT)
          .until(() -> deployments().equals(List.of("iris-r3")));

      annotate("iris", "modelops.dev/rollback-to=9");
      await("the unknown revision refused")
          .atMost(WAIT)
          .until(() -> eventReasons("iris").contains("RequestRefused"));
      assertThat(status("iris"))
          .extractingByKey("lastAction")
          .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
          .containsEntry("result", "Refused")
          .hasEntrySatisfying(
              "message",
              m -> assertThat((String) m).contains("revision 9 is not kept (kept: 2, 3)"));
      assertThat(stable("iris")).isEqualTo(3);
      assertThat(load.notOk()).as("answers %s: %s", load.counts(), load.failures()).isZero();
    }
  }

  @Test
  void anOperatorKilledBetweenStepsResumesTheCanaryWhereItWas() throws Exception {
    Map<String, Object> rollout =
        canary(List.of(step(25, "15s"), step(50, "15s"), step(75, "15s")), null);
    apply("iris", spec("1", "mlp.onnx", rollout));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    apply("iris", spec("2", "mlp.onnx", rollout));
    await("step 2")
        .atMost(WAIT)
        .until(() -> Integer.valueOf(1).equals(canaryStatus("iris").get("step")));
    Object startedAt = canaryStatus("iris").get("startedAt");
    deleteTheOperatorPod();
    await("step 3 after the restart")
        .atMost(WAIT)
        .until(() -> Integer.valueOf(2).equals(canaryStatus("iris").get("step")));
    assertThat(canaryStatus("iris").get("startedAt")).isEqualTo(startedAt);
    awaitStable("iris", 2);
    // A spec change in the middle of the next canary supersedes it: nothing of it is left. Its
    // steps last longer than the test, so a slow machine cannot promote it first.
    Map<String, Object> held = withStepsOf(rollout, "10m");
    apply("iris", spec("3", "mlp.onnx", held));
    await("canary 3")
        .atMost(WAIT)
        .until(() -> Integer.valueOf(3).equals(canaryStatus("iris").get("revision")));
    apply("iris", spec("4", "mlp.onnx", held));
    await("canary 4, and revision 3's Deployment gone")
        .atMost(WAIT)
        .until(
            () ->
                Integer.valueOf(4).equals(canaryStatus("iris").get("revision"))
                    && deployments().equals(List.of("iris-r2", "iris-r4")));
    assertThat(revisions("iris").get(3)).containsEntry("phase", "Superseded");
  }

  /**
   * The operator pod killed in the middle of an analysis interval measures the interval again,
   * `paused` holds the canary (no step, no check) until it is lifted, and the operator killed while
   * the canary is being promoted (by hand) finishes the promotion: no request fails on the way.
   */
  @Test
  void anOperatorKilledMidAnalysisOrDuringPromotionResumesAndPausedHolds() throws Exception {
    // One canary pod beside two stable ones, for a step longer than the test: the promotion asked
    // for by hand starts a second canary pod, which takes a while.
    Map<String, Object> rollout =
        canary(List.of(step(25, "10m")), analysis("10s", 2, ONLY_A_BROKEN_POD));
    apply("iris", spec("1", "mlp.onnx", rollout, 2));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    try (ClusterForward forward = service("iris");
        LoadGenerator load = steadyLoad(forward)) {
      apply("iris", spec("2", "mlp.onnx", rollout, 2));
      await("a first check").atMost(WAIT).until(() -> !verdicts("iris").isEmpty());
      deleteTheOperatorPod();
      // The new operator pod has no sample of the interval's start: it measures it again.
      await("the interval measured again")
          .atMost(WAIT)
          .until(
              () ->
                  String.valueOf(canaryStatus("iris").get("analysis"))
                      .startsWith("measuring from "));

      setPaused("iris", true);
      awaitCondition("iris", "Progressing", "True", "Paused");
      int checks = verdicts("iris").size();
      // Held for more than two intervals: no check, no promotion.
      await("held while paused")
          .during(Duration.ofSeconds(25))
          .atMost(Duration.ofSeconds(40))
          .until(
              () ->
                  "Paused".equals(canaryStatus("iris").get("phase"))
                      && verdicts("iris").size() == checks
                      && Integer.valueOf(1).equals(stable("iris")));

      setPaused("iris", false);
      await("checks again").atMost(WAIT).until(() -> verdicts("iris").size() > checks);
      annotate("iris", "modelops.dev/promote=true");
      await("promoting")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> "Promoting".equals(canaryStatus("iris").get("phase")));
      deleteTheOperatorPod();
      awaitStable("iris", 2);
      awaitCondition("iris", "Progressing", "False", "RolloutComplete");
      await("revision 1's Deployment retired")
          .atMost(WAIT)
          .until(() -> deployments().equals(List.of("iris-r2")));
      assertThat(revisions("iris").keySet()).containsExactly(1, 2);
      await("revision 1's pods gone")
          .atMost(WAIT)
          .until(() -> pods("iris").stream().allMatch(p -> "2".equals(revisionOf(p))));
      assertThat(load.notOk()).as("answers %s: %s", load.counts(), load.failures()).isZero();
    }
  }

  @Test
  void gatewayApiWeightsFollowTheStepsExactlyAndNothingIsLeftBehind() throws Exception {
    Map<String, Object> rollout =
        new LinkedHashMap<>(canary(List.of(step(20, "10s"), step(60, "10s")), null));
    rollout.put(
        "traffic",
        Map.of(
            "mode",
            "gatewayAPI",
            "gatewayAPI",
            Map.of("gateway", "sandbox-gateway", "hostnames", List.of("iris.example"))));
    apply("iris", spec("1", "mlp.onnx", rollout));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    await("the route to revision 1")
        .atMost(WAIT)
        .until(() -> "iris-r1=100".equals(routeWeights("iris")));

    apply("iris", spec("2", "mlp.onnx", rollout));
    Set<String> seen = new LinkedHashSet<>();
    await("canary 2 promoted")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              seen.add(routeWeights("iris"));
              return Integer.valueOf(2).equals(stable("iris"));
            });
    await("the route to revision 2 alone, and only its Service")
        .atMost(WAIT)
        .until(
            () ->
                "iris-r2=100".equals(routeWeights("iris"))
                    && services().equals(List.of("iris", "iris-r2")));
    seen.add(routeWeights("iris"));
    // Exactly the steps' weights, in order, and nothing else on the way.
    assertThat(seen)
        .containsSubsequence(
            "iris-r1=100", "iris-r1=80,iris-r2=20", "iris-r1=40,iris-r2=60", "iris-r2=100")
        .isSubsetOf("iris-r1=100", "iris-r1=80,iris-r2=20", "iris-r1=40,iris-r2=60", "iris-r2=100");
    assertThat(route("iris").getAdditionalProperties().get("spec").toString())
        .contains("name=sandbox-gateway")
        .contains("hostnames=[iris.example]");

    // A canary superseded by the next spec leaves neither a Service nor a backend behind. Its
    // steps last longer than the test, so a slow machine cannot promote it first.
    Map<String, Object> held = withStepsOf(rollout, "10m");
    apply("iris", spec("3", "mlp.onnx", held));
    await("canary 3 takes its share")
        .atMost(WAIT)
        .until(() -> "iris-r2=80,iris-r3=20".equals(routeWeights("iris")));
    apply("iris", spec("4", "mlp.onnx", held));
    await("canary 4 takes its share, nothing of 3 is left")
        .atMost(WAIT)
        .until(
            () ->
                "iris-r2=80,iris-r4=20".equals(routeWeights("iris"))
                    && services().equals(List.of("iris", "iris-r2", "iris-r4")));
    // A rollback by hand in the middle of a canary takes its backend away at once.
    annotate("iris", "modelops.dev/rollback-to=2");
    await("all traffic on revision 2 again")
        .atMost(WAIT)
        .until(
            () ->
                "iris-r2=100".equals(routeWeights("iris"))
                    && services().equals(List.of("iris", "iris-r2")));
  }

  /** The same rollout with every step lasting {@code duration}. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> withStepsOf(Map<String, Object> rollout, String duration) {
    Map<String, Object> copy = new LinkedHashMap<>(rollout);
    copy.put(
        "steps",
        ((List<Map<String, Object>>) rollout.get("steps"))
            .stream().map(st -> step(((Number) st.get("weight")).intValue(), duration)).toList());
    return copy;
  }
}
