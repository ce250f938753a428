package dev.modelops.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.sandbox.ClusterForward;
import dev.modelops.e2e.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Drift detection on the sandbox's real node: two runtime pods of mlp.onnx fetch its baseline (x0
 * to x3 standard normal) and record windows of 200 rows; the operator, as the chart's pod, reads
 * both pods' reports every 5 s, adds them up and scores the sum. A load generator sends rows drawn
 * from the baseline's distribution, then with x2 moved by 1.5 standard deviations, then drawn as
 * before again.
 */
@Order(Schedule.BACK_4)
class DriftDetectionTest extends RolloutTestBase {

  /** How far x2 is moved, in standard deviations, in the requests sent from now on. */
  private volatile double shift;

  @Override
  String clusterName() {
    return "drift";
  }

  @Override
  List<String> clusterOptions() {
    return List.of();
  }

  /** 20 rows of the four features, x2 moved by {@link #shift}. */
  String body() {
    return DriftRows.body(shift);
  }

  Map<String, Object> driftSpec() throws Exception {
    Files.copy(
        SandboxCluster.repo().resolve("runtime-image/src/test/resources/drift/mlp-baseline.json"),
        cluster.modelsDir().resolve("mlp-baseline.json"),
        StandardCopyOption.REPLACE_EXISTING);
    Map<String, Object> spec =
        new LinkedHashMap<>(spec("1", "mlp.onnx", Map.of("strategy", "Immediate"), 2));
    Map<String, Object> model = new LinkedHashMap<>(castMap(spec.get("model")));
    model.put(
        "baseline",
        Map.of("uri", MODELS + "mlp-baseline.json", "sha256", sha256("mlp-baseline.json")));
    spec.put("model", model);
    spec.put(
        "drift",
        Map.of("method", "psi", "threshold", 0.2, "window", 200, "evaluationInterval", "5s"));
    return spec;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  Map<String, Object> drift(String name) {
    return castMap(status(name).getOrDefault("drift", Map.of()));
  }

  String driftCondition(String name) {
    Map<String, Object> c = ModelDeployments.condition(get(name), "DriftDetected");
    return c == null ? "none" : c.get("status") + "/" + c.get("reason") + ": " + c.get("message");
  }

  @SuppressWarnings("unchecked")
  String worstFeature(String name) {
    List<Map<String, Object>> worst =
        (List<Map<String, Object>>) drift(name).getOrDefault("worstFeatures", List.of());
    return worst.isEmpty() ? "" : (String) worst.get(0).get("name");
  }

  @Test
  void shiftedInputsSetDriftDetectedNamingTheFeatureAndItClearsWhenTheyComeBack() throws Exception {
    apply("iris", driftSpec());
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    // The pods fetched the baseline in an init step of their own; it made no second revision.
    List<Pod> pods = pods("iris");
    assertThat(pods)
        .allSatisfy(
            p ->
                assertThat(p.getSpec().getInitContainers())
                    .extracting(c -> c.getName())
                    .contains("fetch-baseline"));
    assertThat(revisions("iris")).containsOnlyKeys(1);
    // No traffic yet: nothing to judge.
    awaitCondition("iris", "DriftDetected", "Unknown", "Collecting");

    try (ClusterForward forward = service("iris");
        LoadGenerator load =
            new LoadGenerator(forward.url(), "iris", 2, Duration.ofMillis(50), this::body)) {
      awaitCondition("iris", "DriftDetected", "False", "NoDrift");
      Map<String, Object> quiet = drift("iris");
      assertThat(((Number) quiet.get("score")).doubleValue()).isLessThan(0.2);
      assertThat(((Number) quiet.get("samples")).longValue()).isGreaterThanOrEqualTo(200);
      assertThat(quiet).containsEntry("method", "psi").containsEntry("revision", 1);

      shift = 1.5;
      awaitCondition("iris", "DriftDetected", "True", "DriftDetected");
      assertThat(worstFeature("iris")).isEqualTo("x2");
      assertThat(((Number) drift("iris").get("score")).doubleValue()).isGreaterThan(0.2);
      assertThat(driftCondition("iris")).contains("worst: x2");
      awaitEvents("iris", "DriftDetected");

      shift = 0;
      awaitCondition("iris", "DriftDetected", "False", "NoDrift");
      awaitEvents("iris", "DriftCleared");
      assertThat(eventReasons("iris").stream().filter("DriftDetected"::equals)).hasSize(1);
      assertThat(load.answered(200)).as(load.failures().toString()).isPositive();
      assertThat(load.notOk()).as(load.failures().toString()).isZero();
    }
    assertThat(eventReasons("iris")).doesNotContain("NotActiveYet");
  }
}
