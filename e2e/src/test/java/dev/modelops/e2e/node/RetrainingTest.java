package dev.modelops.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.sandbox.AppImages;
import dev.modelops.e2e.sandbox.ClusterForward;
import dev.modelops.e2e.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Drift-triggered retraining on the sandbox's real node: one runtime pod of mlp.onnx with its
 * baseline; live requests with x2 moved by 1.5 standard deviations set DriftDetected, and the
 * operator starts the retraining Job. In the first test the Job is the example trainer
 * (examples/trainer): it learns labelled recent data from a PersistentVolume, writes its model
 * there and reports it, while the operator pod is killed, and the model is canaried, promoted and
 * served. In the others the Job's container is the runtime image's own {@code fetch}: it downloads
 * a prepared report file from the sandbox's model server, checks its digest and writes it into its
 * termination-message file, so a bad report crosses the real kubelet as any trainer's would.
 */
@Order(Schedule.FRONT_3)
class RetrainingTest extends RolloutTestBase {

  /** How far x2 moves: 1.5 standard deviations. */
  static final double SHIFT = 1.5;

  static final ObjectMapper JSON = new ObjectMapper();

  private volatile double shift;

  @Override
  String clusterName() {
    return "retrain";
  }

  @Override
  List<String> clusterOptions() {
    return List.of("--load-image", AppImages.trainer().toString());
  }

  /** 20 rows of the four features, x2 moved by {@link #shift}. */
  String body() {
    return DriftRows.body(shift);
  }

  /** A file on the sandbox's model server holding {@code text}. */
  void serve(String file, String text) throws Exception {
    Files.writeString(cluster.modelsDir().resolve(file), text, StandardCharsets.UTF_8);
  }

  /**
   * One pod of mlp.onnx with its baseline and drift on a window of 200 rows; a canary of one step
   * judged every 5 s; retraining by a Job of the runtime image's {@code fetch} that reports the
   * file {@code report}.
   */
  Map<String, Object> spec(String report) throws Exception {
    return spec(report, sha256(report));
  }

  Map<String, Object> spec(String report, String reportSha256) throws Exception {
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("name", "trainer");
    container.put("image", "modelops/runtime:0.1.0");
    container.put(
        "args",
        List.of(
            "fetch",
            "--uri",
            MODELS + report,
            "--sha256",
            reportSha256,
            "--dest",
            "/tmp/termination-log"));
    container.put("terminationMessagePath", "/tmp/termination-log");
    container.put("resources", Map.of("requests", Map.of("cpu", "50m", "memory", "128Mi")));
    return specWithJob(Map.of("restartPolicy", "Never", "containers", List.of(container)));
  }

  /**
   * The same, retrained by the example trainer (examples/trainer/train.py in its image): it reads
   * /data/recent.csv of the claim {@code claim} and writes its model under /data/models, which the
   * runtime's pods read as {@code pvc://<claim>/models/...}.
   */
  Map<String, Object> specWithTrainer(String claim, String... trainerArgs) throws Exception {
    Map<String, Object> container = new LinkedHashMap<>();
    container.put("name", "trainer");
    container.put("image", "modelops/trainer:0.1.0");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--data",
                "/data/recent.csv",
                "--out-dir",
                "/data/models",
                "--uri-prefix",
                "pvc://" + claim + "/models",
                "--claim-dir",
                claim + "=/data"));
    args.addAll(List.of(trainerArgs));
    container.put("args", args);
    container.put("volumeMounts", List.of(Map.of("name", "data", "mountPath", "/data")));
    container.put("resources", Map.of("requests", Map.of("cpu", "50m", "memory", "128Mi")));
    return specWithJob(
        Map.of(
            "restartPolicy",
            "Never",
            "containers",
            List.of(container),
            "volumes",
            List.of(Map.of("name", "data", "persistentVolumeClaim", Map.of("claimName", claim)))));
  }

  private Map<String, Object> specWithJob(Map<String, Object> podSpec) throws Exception {
    Files.copy(
        SandboxCluster.repo().resolve("runtime-image/src/test/resources/drift/mlp-baseline.json"),
        cluster.modelsDir().resolve("mlp-baseline.json"),
        StandardCopyOption.REPLACE_EXISTING);
    // The canary's predictions are compared with the labels its trainer learnt (its baseline's
    // outputs): a retrained model that spreads the rows as its labels do passes, a worse one not.
    Map<String, Object> analysis = new LinkedHashMap<>(analysis("5s", 2, "2s"));
    analysis.put("maxOutputDivergence", 0.2);
    Map<String, Object> spec =
        new LinkedHashMap<>(spec("1", "mlp.onnx", canary(List.of(step(50, "15s")), analysis)));
    Map<String, Object> model = new LinkedHashMap<>(castMap(spec.get("model")));
    model.put(
        "baseline",
        Map.of("uri", MODELS + "mlp-baseline.json", "sha256", sha256("mlp-baseline.json")));
    spec.put("model", model);
    spec.put(
        "runtime",
        Map.of(
            "replicas",
            1,
            "resources",
            Map.of("requests", Map.of("cpu", "50m", "memory", "256Mi"))));
    spec.put(
        "drift",
        Map.of("method", "psi", "threshold", 0.2, "window", 200, "evaluationInterval", "5s"));
    spec.put(
        "retraining",
        Map.of(
            "cooldown",
            "1h",
            "promote",
            "Canary",
            "jobTemplate",
            Map.of("spec", Map.of("backoffLimit", 0, "template", Map.of("spec", podSpec)))));
    return spec;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  List<Job> jobs() {
    return client.batch().v1().jobs().inNamespace(ns).list().getItems();
  }

  String retraining(String name) {
    Map<String, Object> c = ModelDeployments.condition(get(name), "Retraining");
    return c == null ? "none" : c.get("status") + "/" + c.get("reason") + ": " + c.get("message");
  }

  void awaitRetraining(String name, String status, String reason) {
    await(name + " Retraining=" + status + " (" + reason + ")")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(retraining(name)).startsWith(status + "/" + reason + ":"));
  }

  /** The model's answer to a V2 request of these rows: its version, and each row's class. */
  record Answer(String modelVersion, List<Integer> classes) {

    /** The share of rows whose class is the label of the world after the drift. */
    double accuracy(List<double[]> rows) {
      return IntStream.range(0, rows.size())
              .filter(i -> classes.get(i) == DriftRows.label(rows.get(i), SHIFT))
              .count()
          / (double) rows.size();
    }
  }

  static Answer infer(ClusterForward forward, List<double[]> rows) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(forward.url() + "/v2/models/iris/infer"))
                    .POST(HttpRequest.BodyPublishers.ofString(DriftRows.body(rows)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode output = JSON.readTree(response.body()).at("/outputs/0");
    assertThat(output.get("shape").toString()).isEqualTo("[" + rows.size() + ",3]");
    List<Integer> classes = new ArrayList<>();
    for (int row = 0; row < rows.size(); row++) {
      int best = 0;
      for (int c = 1; c < 3; c++) {
        if (output.get("data").get(row * 3 + c).asDouble()
            > output.get("data").get(row * 3 + best).asDouble()) {
          best = c;
        }
      }
      classes.add(best);
    }
    return new Answer(JSON.readTree(response.body()).get("model_version").asText(), classes);
  }

  @Test
  void driftStartsOneTrainerJobWhoseModelIsCanariedPromotedAndServedThenTheCooldownHoldsTheNext()
      throws Exception {
    // The recent data the trainer learns from: 2000 rows after the drift, with their labels.
    Path volume = cluster.volume(ns, "retraining");
    Files.writeString(
        volume.resolve("recent.csv"), DriftRows.labelledCsv(DriftRows.rows(SHIFT, 2000), SHIFT));
    apply("iris", specWithTrainer("retraining"));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    awaitRetraining("iris", "False", "Idle");
    assertThat(jobs()).isEmpty();

    List<double[]> probe = DriftRows.rows(SHIFT, 300);
    try (ClusterForward forward = service("iris")) {
      Answer before = infer(forward, probe);
      assertThat(before.modelVersion()).isEqualTo("1");
      assertThat(before.accuracy(probe))
          .as("the test MLP does not know the new world")
          .isLessThan(0.6);

      try (LoadGenerator load =
          new LoadGenerator(forward.url(), "iris", 2, Duration.ofMillis(50), this::body)) {
        shift = SHIFT;
        awaitCondition("iris", "DriftDetected", "True", "DriftDetected");
        awaitEvents("iris", "RetrainingStarted");
        List<Job> jobs = jobs();
        assertThat(jobs).hasSize(1);
        Job job = jobs.get(0);
        assertThat(job.getMetadata().getName()).isEqualTo("iris-retrain-1");
        assertThat(job.getMetadata().getOwnerReferences())
            .singleElement()
            .satisfies(o -> assertThat(o.getKind()).isEqualTo("ModelDeployment"));
        assertThat(job.getMetadata().getLabels()).containsEntry("modelops.dev/deployment", "iris");
        Map<String, String> env =
            job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertThat(env)
            .containsEntry("MODELOPS_MODEL_NAME", "iris")
            .containsEntry("MODELOPS_MODEL_VERSION", "1")
            .containsEntry("MODELOPS_MODEL_URI", MODELS + "mlp.onnx")
            .containsEntry("MODELOPS_REVISION", "1")
            .containsEntry("MODELOPS_DRIFT_METHOD", "psi")
            .containsEntry("MODELOPS_BASELINE_URI", MODELS + "mlp-baseline.json")
            .containsKey("MODELOPS_DRIFT_SCORE")
            .containsEntry(
                "MODELOPS_DRIFT_REPORT_URL",
                "http://iris.%s.svc:8080/v2/models/iris/drift".formatted(ns));
        assertThat(env.get("MODELOPS_DRIFTED_FEATURES")).startsWith("x2");

        // The operator pod is killed while the Job runs: the next one finds the Job (no second
        // one, below) and picks up its report.
        deleteTheOperatorPod();

        // The trainer fetched mlp.onnx for its input and output, trained, and reported its model.
        awaitEvents("iris", "RetrainingSucceeded");
        await("revision 2 from retraining")
            .atMost(WAIT)
            .until(() -> revisions("iris").containsKey(2));
        Map<String, Object> retrained = revisions("iris").get(2);
        assertThat(retrained).containsEntry("source", "Retraining");
        String version = (String) retrained.get("modelVersion");
        assertThat(version).matches("1-retrained-\\d{14}");
        assertThat(retrained)
            .containsEntry("uri", "pvc://retraining/models/" + version + "/model.onnx")
            .containsEntry(
                "sha256",
                HexFormat.of()
                    .formatHex(
                        MessageDigest.getInstance("SHA-256")
                            .digest(
                                Files.readAllBytes(
                                    volume.resolve("models/" + version + "/model.onnx")))));
        awaitEvents("iris", "RolloutStarted");
        List<Map<String, Object>> verdicts = new ArrayList<>();
        await("revision 2 promoted")
            .atMost(WAIT)
            .until(
                () -> {
                  List<Map<String, Object>> now = verdictDetails("iris");
                  if (!now.isEmpty()) {
                    verdicts.clear();
                    verdicts.addAll(now);
                  }
                  return Integer.valueOf(2).equals(stable("iris"));
                });
        // Judged against the labels it learnt, not against the stale model the drift made wrong.
        assertThat(verdicts)
            .anySatisfy(
                v ->
                    assertThat((String) v.get("message"))
                        .contains("predictions' Jensen-Shannon distance from the training labels"))
            .allSatisfy(v -> assertThat(v.get("verdict")).as("%s", v).isNotEqualTo("Fail"));
        awaitEvents("iris", "RolledOut");
        assertThat(eventReasons("iris")).doesNotContain("RetrainingInvalidReport");
        Map<String, Object> status = castMap(status("iris").get("retraining"));
        assertThat(status)
            .containsEntry("job", "iris-retrain-1")
            .containsEntry("phase", "Succeeded")
            .containsEntry("revision", 2);
        assertThat(revisions("iris").get(2)).doesNotContainKey("outcome");

        // Only the retrained model answers now, and it has learnt the labels of the new world.
        await("only pods of revision 2")
            .atMost(WAIT)
            .until(() -> pods("iris").stream().allMatch(p -> "2".equals(revisionOf(p))));
        Answer after = infer(forward, probe);
        assertThat(after.modelVersion()).isEqualTo(version);
        assertThat(after.accuracy(probe)).isGreaterThan(0.9);

        // The new pods measure drift against the data their model learnt (the trainer's
        // baseline): the traffic matches it, so drift clears.
        awaitCondition("iris", "DriftDetected", "False", "NoDrift");
        assertThat(jobs()).as("one Job in all, across the operator's restart").hasSize(1);
        assertThat(load.notOk()).as(load.failures().toString()).isZero();
      }
    }
  }

  @Test
  void aWorseRetrainedModelIsRolledBackByItsPredictions() throws Exception {
    // The trainer's fault train-serve-skew: it exports the weights of standardised features as
    // raw ones, so its model says class 2 for most rows, far from the labels it learnt.
    Path volume = cluster.volume(ns, "retraining");
    Files.writeString(
        volume.resolve("recent.csv"), DriftRows.labelledCsv(DriftRows.rows(SHIFT, 2000), SHIFT));
    apply("iris", specWithTrainer("retraining", "--fault", "train-serve-skew"));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    try (ClusterForward forward = service("iris");
        LoadGenerator load =
            new LoadGenerator(forward.url(), "iris", 2, Duration.ofMillis(50), this::body)) {
      shift = SHIFT;
      awaitCondition("iris", "DriftDetected", "True", "DriftDetected");
      awaitEvents("iris", "RetrainingSucceeded");
      awaitCondition("iris", "Degraded", "True", "AnalysisFailed");
      assertThat((String) ModelDeployments.condition(get("iris"), "Degraded").get("message"))
          .contains("canary revision 2 failed 2 consecutive checks")
          .contains("predictions' Jensen-Shannon distance from the training labels")
          .contains("is over maxOutputDivergence 0.2");
      assertThat(revisions("iris").get(2))
          .containsEntry("source", "Retraining")
          .containsEntry("phase", "Failed");
      assertThat(stable("iris")).isEqualTo(1);
      await("the canary's Deployment removed")
          .atMost(WAIT)
          .until(() -> deployments().equals(List.of("iris-r1")));
      awaitEvents("iris", "RolledBack");
      // The Retraining condition says so, and the cooldown (1h) holds the next Job.
      awaitRetraining("iris", "False", "RevisionFailed");
      assertThat(retraining("iris"))
          .contains("revision 2, the model Job iris-retrain-1 made, failed its rollout")
          .contains("spec.retraining.cooldown 1h holds the next Job");
      awaitEvents("iris", "RetrainingRevisionFailed");
      // Drift is still detected on revision 1 (evaluated every 5 s): the cooldown holds, no Job.
      await("no second Job while the cooldown holds")
          .during(Duration.ofSeconds(15))
          .atMost(Duration.ofSeconds(20))
          .until(() -> jobs().size() == 1);
      assertThat(ModelDeployments.condition(get("iris"), "DriftDetected"))
          .containsEntry("status", "True");
      assertThat(load.notOk()).as(load.failures().toString()).isZero();
    }
  }

  @Test
  void aMalformedReportIsInvalidReportAndNoRevision() throws Exception {
    serve(
        "bad-report.json",
        "{\"uri\":\"s3://bucket/mlp.onnx\",\"sha256\":\"%s\",\"version\":\"2\"}"
            .formatted(sha256("mlp.onnx")));
    apply("iris", spec("bad-report.json"));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    try (ClusterForward forward = service("iris");
        LoadGenerator load =
            new LoadGenerator(forward.url(), "iris", 2, Duration.ofMillis(50), this::body)) {
      shift = SHIFT;
      awaitCondition("iris", "DriftDetected", "True", "DriftDetected");
      awaitRetraining("iris", "False", "InvalidReport");
      assertThat(retraining("iris")).contains("iris-retrain-1").contains("s3://bucket/mlp.onnx");
      awaitEvents("iris", "RetrainingInvalidReport");
      assertThat(revisions("iris")).containsOnlyKeys(1);
      assertThat(castMap(status("iris").get("retraining"))).containsEntry("phase", "InvalidReport");
      assertThat(jobs()).hasSize(1);
      assertThat(load.notOk()).as(load.failures().toString()).isZero();
    }
  }

  @Test
  void aFailedJobIsReportedAndRetriedAfterItsBackoff() throws Exception {
    // The trainer fetches a report that is not there: 404, exit 1, the Job fails at once.
    apply("iris", spec("missing-report.json", "0".repeat(64)));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    try (ClusterForward forward = service("iris");
        LoadGenerator load =
            new LoadGenerator(forward.url(), "iris", 2, Duration.ofMillis(50), this::body)) {
      shift = SHIFT;
      awaitCondition("iris", "DriftDetected", "True", "DriftDetected");
      awaitRetraining("iris", "False", "JobFailed");
      assertThat(retraining("iris")).contains("iris-retrain-1").contains("attempt 2 starts at");
      awaitEvents("iris", "RetrainingFailed");
      Map<String, Object> failed = castMap(status("iris").get("retraining"));
      assertThat(failed).containsEntry("phase", "Failed").containsKey("nextAttemptAt");

      // One minute after the failure, attempt 2: a Job of its own, told its attempt.
      await("the retry, iris-retrain-2").atMost(WAIT).until(() -> jobs().size() == 2);
      Job retry =
          jobs().stream()
              .filter(j -> j.getMetadata().getName().equals("iris-retrain-2"))
              .findFirst()
              .orElseThrow();
      assertThat(retry.getMetadata().getAnnotations())
          .containsEntry("modelops.dev/retraining-attempt", "2");
      assertThat(retry.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
          .contains(new EnvVar("MODELOPS_ATTEMPT", "2", null));
      assertThat(revisions("iris")).containsOnlyKeys(1);
      assertThat(load.notOk()).as(load.failures().toString()).isZero();
    }
  }
}
