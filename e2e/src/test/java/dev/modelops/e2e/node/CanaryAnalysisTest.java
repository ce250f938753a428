package dev.modelops.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.sandbox.ClusterForward;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Canary analysis on the sandbox's real node under live traffic: the operator runs as the chart's
 * pod and reads the runtime pods' metrics by pod IP, or asks the sandbox's Prometheus; a load
 * generator sends steady requests through the Service, routed by kube-proxy, and counts every
 * answer that is not a 200.
 *
 * <p>One of the two longest classes of the module, so it starts first (junit-platform.properties).
 */
@Order(Schedule.FRONT_2)
class CanaryAnalysisTest extends RolloutTestBase {

  @Override
  String clusterName() {
    return "analysis";
  }

  @Override
  List<String> clusterOptions() {
    return List.of("--prometheus");
  }

  @Test
  void aGoodCanaryWalksItsStepsUnderLoadAndIsPromotedWithoutAFailedRequest() throws Exception {
    Map<String, Object> rollout =
        canary(List.of(step(25, "20s"), step(50, "20s")), analysis("10s", 2, ONLY_A_BROKEN_POD));
    apply("iris", spec("1", "mlp.onnx", rollout));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");

    try (ClusterForward forward = service("iris");
        LoadGenerator load = steadyLoad(forward)) {
      apply("iris", spec("2", "mlp.onnx", rollout));
      Set<String> seen = new LinkedHashSet<>();
      List<Map<String, Object>> verdicts = new ArrayList<>();
      await("canary promoted")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                Map<String, Object> canary = canaryStatus("iris");
                if (canary.get("weight") != null) {
                  seen.add(canary.get("step") + "@" + canary.get("weight") + "%");
                }
                @SuppressWarnings("unchecked")
                var v = (List<Map<String, Object>>) canary.getOrDefault("verdicts", List.of());
                if (!v.isEmpty()) {
                  verdicts.clear();
                  verdicts.addAll(v);
                }
                return Integer.valueOf(2).equals(stable("iris"));
              });
      assertThat(seen).containsSubsequence("0@25%", "1@50%");
      assertThat(verdicts).isNotEmpty();
      assertThat(verdicts)
          .allSatisfy(
              v -> {
                assertThat(v.get("verdict")).isEqualTo("Pass");
                // The canary's pods really took part of the traffic, and so did the stable ones.
                assertThat(((Number) v.get("requests")).longValue()).isPositive();
                assertThat(((Number) v.get("stableRequests")).longValue()).isPositive();
              });
      awaitCondition("iris", "Progressing", "False", "RolloutComplete");
      await("revision 1's Deployment retired")
          .atMost(WAIT)
          .until(() -> deployments().equals(List.of("iris-r2")));
      assertThat(status("iris")).doesNotContainKey("canary");
      awaitEvents("iris", "RolloutStarted", "CanaryStep", "RolledOut");
      // The retired pods left the endpoints before they stopped: no request failed.
      await("revision 1's pods gone")
          .atMost(WAIT)
          .until(() -> pods("iris").stream().allMatch(p -> "2".equals(revisionOf(p))));
      assertThat(load.answered(200)).isPositive();
      assertThat(load.notOk()).as("answers %s: %s", load.counts(), load.failures()).isZero();
    }
  }

  @Test
  void aFailingCanaryAndASlowOneAreRolledBackWithTheirNumbers() throws Exception {
    Map<String, Object> rollout = canary(List.of(step(50, "5m")), analysis("10s", 2, "50ms"));
    apply("iris", spec("1", "mlp.onnx", rollout));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    try (ClusterForward forward = service("iris");
        LoadGenerator load = steadyLoad(forward)) {
      apply("iris", spec("2", "failing.onnx", rollout));
      awaitCondition("iris", "Degraded", "True", "AnalysisFailed");
      Map<String, Object> progressing = ModelDeployments.condition(get("iris"), "Progressing");
      assertThat(progressing)
          .containsEntry("status", "False")
          .containsEntry("reason", "RolledBack");
      assertThat((String) ModelDeployments.condition(get("iris"), "Degraded").get("message"))
          .contains("canary revision 2 failed 2 consecutive checks")
          .contains("is over maxErrorRate 0.01")
          .contains("stable revision 1:");
      assertThat(stable("iris")).isEqualTo(1);
      assertThat(revisions("iris").get(2))
          .containsEntry("phase", "Failed")
          .hasEntrySatisfying("outcome", o -> assertThat((String) o).contains("error rate"));
      await("the canary's Deployment removed")
          .atMost(WAIT)
          .until(() -> deployments().equals(List.of("iris-r1")));
      // All traffic is back on stable: no more 500s while the load goes on.
      awaitNoNewAnswers(load, 500);
      // Measured, not asserted (a benchmark's number, see docs/rollouts.md): from the rollback,
      // decided in the reconcile that recorded the failing check, to the canary's last answer.
      Instant rolledBack =
          Instant.parse(
              (String)
                  ModelDeployments.condition(get("iris"), "Degraded").get("lastTransitionTime"));
      System.out.printf(
          "[measure] failing check to all traffic on stable: %s (analysis interval 10s)%n",
          Duration.between(rolledBack, load.lastAnswered(500).orElse(rolledBack)));
      long okBefore = load.answered(200);
      await("stable answers").atMost(WAIT).until(() -> load.answered(200) > okBefore + 20);
      awaitEvents("iris", "AnalysisCheckFailed", "RolledBack");

      apply("iris", spec("3", "slow.onnx", rollout));
      await("the slow canary rolled back")
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(revisions("iris").get(3))
                      .containsEntry("phase", "Failed")
                      .hasEntrySatisfying(
                          "outcome",
                          o -> assertThat((String) o).contains("is over maxLatencyP99 50ms")));
      assertThat(stable("iris")).isEqualTo(1);
      assertThat(load.counts().keySet()).as("%s", load.failures()).containsOnly(200, 500);
    }
  }

  @Test
  void aCanaryWhosePredictionsDifferFromTheStablesIsRolledBack() throws Exception {
    // Varied rows (four standard normal features), so that the predictions spread over the classes
    // as they would under real traffic: mlp.onnx predicts about 35%, 10% and 55% of them as 0, 1,
    // 2.
    Map<String, Object> analysis =
        new java.util.LinkedHashMap<>(analysis("10s", 2, ONLY_A_BROKEN_POD));
    analysis.put("maxOutputDivergence", 0.3);
    Map<String, Object> rollout = canary(List.of(step(50, "5m")), analysis);
    apply("iris", spec("1", "mlp.onnx", rollout));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    try (ClusterForward forward = service("iris");
        LoadGenerator load =
            new LoadGenerator(
                forward.url(), "iris", 2, Duration.ofMillis(25), () -> DriftRows.body(0))) {
      // The same model again: its predictions match the stable's, and each check says how closely.
      apply("iris", spec("2", "mlp.onnx", rollout));
      await("a check with the predictions compared")
          .atMost(WAIT)
          .until(
              () ->
                  verdictDetails("iris").stream().anyMatch(v -> v.containsKey("outputDivergence")));
      Map<String, Object> same =
          verdictDetails("iris").stream()
              .filter(v -> v.containsKey("outputDivergence"))
              .findFirst()
              .get();
      assertThat(same.get("verdict")).as("%s", same).isEqualTo("Pass");
      assertThat(Double.parseDouble((String) same.get("outputDivergence"))).isLessThan(0.15);
      assertThat((String) same.get("message")).contains("within maxOutputDivergence 0.3");
      annotate("iris", "modelops.dev/promote=true");
      awaitStable("iris", 2);

      // Classes 1 and 2 swapped: no error, no delay, and a distance of about 0.5.
      apply("iris", spec("3", "swapped.onnx", rollout));
      awaitCondition("iris", "Degraded", "True", "AnalysisFailed");
      assertThat((String) ModelDeployments.condition(get("iris"), "Degraded").get("message"))
          .contains("canary revision 3 failed 2 consecutive checks")
          .contains("predictions' Jensen-Shannon distance from the stable's")
          .contains("is over maxOutputDivergence 0.3");
      assertThat(revisions("iris").get(3)).containsEntry("phase", "Failed");
      assertThat(stable("iris")).isEqualTo(2);
      await("the canary's Deployment removed")
          .atMost(WAIT)
          .until(() -> deployments().equals(List.of("iris-r2")));
      assertThat(load.notOk()).as("answers %s: %s", load.counts(), load.failures()).isZero();
    }
  }

  @Test
  void withoutTrafficTheCheckIsInconclusiveAndPromoteSkipsTheSteps() throws Exception {
    Map<String, Object> rollout = canary(List.of(step(50, "10s")), analysis("5s", 1, "1s"));
    apply("iris", spec("1", "mlp.onnx", rollout));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    apply("iris", spec("2", "mlp.onnx", rollout));
    await("an inconclusive check")
        .atMost(WAIT)
        .until(
            () -> String.valueOf(canaryStatus("iris").get("analysis")).startsWith("Inconclusive"));
    // The step's 10 s are long over at the second check, but without a passed check it is held.
    await("two inconclusive checks")
        .atMost(WAIT)
        .until(
            () -> ((List<?>) canaryStatus("iris").getOrDefault("verdicts", List.of())).size() >= 2);
    assertThat(stable("iris")).isEqualTo(1);
    assertThat((String) ModelDeployments.condition(get("iris"), "Progressing").get("message"))
        .contains("for a passed check");

    annotate("iris", "modelops.dev/promote=true");
    awaitStable("iris", 2);
    awaitCondition("iris", "Progressing", "False", "RolloutComplete");
    // Removed once the status records the action (so a crash in between does not lose it).
    await("the promote annotation removed")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(get("iris").getMetadata().getAnnotations())
                    .doesNotContainKey("modelops.dev/promote"));
    assertThat(status("iris"))
        .extractingByKey("lastAction")
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("request", "modelops.dev/promote=true")
        .containsEntry("result", "Done");
  }

  /**
   * Two ModelDeployments side by side, one judged from its pods and one from the sandbox's real
   * Prometheus, reach the same verdicts: Inconclusive without traffic, Pass under load, Fail for a
   * failing model. A third, whose Prometheus is not there, is never judged on a guess.
   */
  @Test
  void thePrometheusSourceGivesTheVerdictsOfThePodsSource() throws Exception {
    // Latency is not what is compared here.
    Map<String, Object> byPods =
        canary(List.of(step(50, "20s")), analysis("10s", 2, ONLY_A_BROKEN_POD));
    Map<String, Object> byPrometheus =
        fromPrometheus(byPods, "http://prometheus.modelops-sandbox.svc:9090");
    Map<String, Object> byNowhere =
        fromPrometheus(byPods, "http://prometheus.nowhere.svc.cluster.local:9090");
    apply("by-pods", spec("1", "mlp.onnx", byPods));
    apply("by-prom", spec("1", "mlp.onnx", byPrometheus));
    awaitCondition("by-pods", "Available", "True", "MinimumReplicasAvailable");
    awaitCondition("by-prom", "Available", "True", "MinimumReplicasAvailable");

    apply("by-pods", spec("2", "mlp.onnx", byPods));
    apply("by-prom", spec("2", "mlp.onnx", byPrometheus));
    for (String name : List.of("by-pods", "by-prom")) {
      await(name + ": a check without traffic").atMost(WAIT).until(() -> !verdicts(name).isEmpty());
      assertThat(verdicts(name)).as(name).containsOnly("Inconclusive");
    }
    try (ClusterForward pods = service("by-pods");
        ClusterForward prom = service("by-prom");
        LoadGenerator podsLoad = steadyLoad(pods);
        LoadGenerator promLoad = steadyLoad(prom)) {
      for (String name : List.of("by-pods", "by-prom")) {
        List<Map<String, Object>> seen = new ArrayList<>();
        await(name + ": canary 2 promoted under load")
            .atMost(WAIT)
            .until(
                () -> {
                  List<Map<String, Object>> v = verdictDetails(name);
                  if (!v.isEmpty()) {
                    seen.clear();
                    seen.addAll(v);
                  }
                  return Integer.valueOf(2).equals(stable(name));
                });
        // The passing check and the promotion can come in one reconcile, too quick to be seen in
        // status; the CanaryPassed Event says the step's last check passed.
        assertThat(seen)
            .as("%s's checks: %s", name, seen)
            .noneMatch(v -> "Fail".equals(v.get("verdict")));
        awaitEvents(name, "CanaryPassed");
      }

      apply("by-pods", spec("3", "failing.onnx", byPods));
      apply("by-prom", spec("3", "failing.onnx", byPrometheus));
      for (String name : List.of("by-pods", "by-prom")) {
        awaitCondition(name, "Degraded", "True", "AnalysisFailed");
        assertThat((String) ModelDeployments.condition(get(name), "Degraded").get("message"))
            .as(name)
            .contains("canary revision 3 failed 2 consecutive checks")
            .contains("is over maxErrorRate 0.01")
            .containsPattern("stable revision 2: [1-9][0-9]* requests");
        assertThat(stable(name)).isEqualTo(2);
      }
      assertThat(podsLoad.answered(200)).isPositive();
      assertThat(promLoad.answered(200)).isPositive();
    }

    // A Prometheus that does not answer: the checks are inconclusive and say why, never a Pass.
    apply("by-nowhere", spec("1", "mlp.onnx", byNowhere));
    awaitCondition("by-nowhere", "Available", "True", "MinimumReplicasAvailable");
    apply("by-nowhere", spec("2", "mlp.onnx", byNowhere));
    await("by-nowhere: a check").atMost(WAIT).until(() -> !verdicts("by-nowhere").isEmpty());
    assertThat(verdicts("by-nowhere")).containsOnly("Inconclusive");
    assertThat(String.valueOf(canaryStatus("by-nowhere").get("analysis")))
        .startsWith(
            "Inconclusive: no numbers for this interval: Prometheus at"
                + " http://prometheus.nowhere.svc.cluster.local:9090/ did not answer");
    awaitEvents("by-nowhere", "MetricsUnavailable");
    assertThat(stable("by-nowhere")).isEqualTo(1);
  }
}
