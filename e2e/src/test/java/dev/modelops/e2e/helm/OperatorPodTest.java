package dev.modelops.e2e.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator installed by its chart, exactly as a user does, runs as a pod on the real node from
 * its image, and keeps its place when that pod is deleted in the middle of a rollout.
 */
class OperatorPodTest {

  static final Duration WAIT = Duration.ofMinutes(3);
  static final String NS = "modelops-system";
  static SandboxCluster cluster;
  static KubernetesClient client;
  static ModelDeployments mdeps;

  @BeforeAll
  static void start() {
    cluster = Helm.clusterWithOperatorPod("operator-pod");
    client = cluster.client();
    mdeps = new ModelDeployments(client);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The operator's pod that is not being deleted; none between a deletion and its successor. */
  static java.util.Optional<Pod> operatorPod() {
    return client
        .pods()
        .inNamespace(NS)
        .withLabel("app.kubernetes.io/instance", "modelops-operator")
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .findFirst();
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static Map<String, Object> status(String name) {
    return ModelDeployments.status(mdeps.api().inNamespace("default").withName(name).get());
  }

  @SuppressWarnings("unchecked")
  static List<String> revisions(String name) {
    return ((List<Map<String, Object>>) status(name).getOrDefault("revisions", List.of()))
        .stream().map(r -> r.get("number") + ":" + r.get("modelVersion")).toList();
  }

  static void apply(String name, String version, String sha256) {
    GenericKubernetesResource mdep =
        ModelDeployments.modelDeployment(
            name,
            Map.of(
                "model",
                Map.of(
                    "version",
                    version,
                    "uri",
                    "http://models.modelops-sandbox.svc/mlp.onnx",
                    "sha256",
                    sha256),
                "runtime",
                Map.of(
                    "replicas",
                    2,
                    "resources",
                    Map.of("requests", Map.of("cpu", "100m", "memory", "256Mi")))));
    mdep.getMetadata().setNamespace("default");
    mdeps.api().inNamespace("default").resource(mdep).serverSideApply();
  }

  @Test
  void theChartsOperatorPodServesAndResumesARolloutAfterItIsDeleted() throws Exception {
    Pod first = operatorPod().orElseThrow();
    assertThat(first.getSpec().getNodeName()).isEqualTo("sandbox-node-1");
    assertThat(first.getSpec().getContainers().get(0).getImage())
        .isEqualTo("modelops/operator:0.1.0");
    assertThat(ready(first)).isTrue();

    String sha =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(cluster.modelsDir().resolve("mlp.onnx"))));
    apply("scorer", "1", sha);
    await("scorer serves revision 1")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status("scorer")).containsEntry("stableRevision", 1));
    ScriptRun available =
        cluster.kubectl("wait", "--for=condition=Available", "mdep/scorer", "--timeout=180s");
    assertThat(available.exitCode()).as(available.stderr()).isZero();

    // Version 2 starts rolling out; the operator's pod is deleted as soon as revision 2 exists,
    // while revision 2's pods are still starting.
    apply("scorer", "2", sha);
    await("revision 2 recorded").atMost(WAIT).until(() -> revisions("scorer").contains("2:2"));
    assertThat(status("scorer")).containsEntry("stableRevision", 1);
    List<String> before = revisions("scorer");
    client.pods().inNamespace(NS).withName(first.getMetadata().getName()).delete();

    await("a new operator pod is ready")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Pod next = operatorPod().orElseThrow(() -> new AssertionError("no operator pod yet"));
              assertThat(next.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());
              // A pod just created has no container statuses yet: read its Ready condition.
              assertThat(ready(next)).as("%s is Ready", next.getMetadata().getName()).isTrue();
            });
    await("the new operator finishes the rollout")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status("scorer")).containsEntry("stableRevision", 2));
    assertThat(revisions("scorer")).isEqualTo(before).containsExactly("1:1", "2:2");
    assertThat(
            client
                .apps()
                .controllerRevisions()
                .inNamespace("default")
                .withLabel("modelops.dev/deployment", "scorer")
                .list()
                .getItems())
        .hasSize(2);

    // kubectl logs works on the operator's pod, and shows its decisions.
    ScriptRun logs = cluster.kubectl("-n", NS, "logs", "deploy/modelops-operator");
    assertThat(logs.exitCode()).as(logs.stderr()).isZero();
    assertThat(logs.stdout()).contains("scorer");
  }
}
