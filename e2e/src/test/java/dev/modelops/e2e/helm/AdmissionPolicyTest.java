package dev.modelops.e2e.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's ValidatingAdmissionPolicy (admissionPolicy.enabled) on a real API server, which
 * enforces it by itself: no operator runs. ModelDeployments are applied with kubectl as a user
 * would, and refused with the policy's message or admitted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionPolicyTest {

  static final String POLICY = "modelops-operator-modeldeployments";
  static final String ALLOWED_IMAGES =
      "use one of modelops/runtime:0.1.0, registry.example.com/ml/*, or leave it unset to run the"
          + " operator's runtime image";
  static final Duration ACTIVE = Duration.ofSeconds(60);

  static SandboxCluster cluster;
  static ModelDeployments mdeps;
  @TempDir static Path temp;

  @BeforeAll
  static void start() {
    cluster = SandboxCluster.startControlPlaneOnly("admission-policy");
    mdeps = new ModelDeployments(cluster.client());
    // The chart without the policy first, and a ModelDeployment that the policy would refuse.
    install();
    ScriptRun legacy =
        apply(
            "legacy",
            "{image: evil/runtime:1, runtimeClassName: kata, tolerations: [{operator: Exists}]}");
    assertThat(legacy.exitCode()).as(legacy.stderr()).isZero();

    install(
        "admissionPolicy.enabled=true", "admissionPolicy.allowedImages={registry.example.com/ml/}");
    // The API server picks a new policy and binding up a moment after they are made.
    await("the policy is enforced")
        .atMost(ACTIVE)
        .until(() -> apply("probe", "{image: evil/runtime:1}", "--dry-run=server").exitCode() != 0);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void modelDeploymentsWithinThePolicyAreAdmitted() {
    assertAdmitted(apply("plain", null), "plain");
    assertAdmitted(apply("operator-image", "{image: modelops/runtime:0.1.0}"), "operator-image");
    assertAdmitted(
        apply(
            "gpu",
            "{image: registry.example.com/ml/runtime-cuda:2, runtimeClassName: nvidia,"
                + " tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]}"),
        "gpu");
  }

  @Test
  @Order(2)
  void anImageOutsideTheAllowedOnesIsRefusedNamingThem() {
    for (String image :
        List.of(
            "evil/runtime:1",
            // Not a prefix entry: an exact image only.
            "modelops/runtime:0.1.0-patched",
            // A prefix ends at its slash.
            "registry.example.com/ml-untrusted/runtime:1",
            "docker.io/modelops/runtime:0.1.0")) {
      assertRefused(
          apply("bad-image", "{image: \"" + image + "\"}"),
          "bad-image",
          "spec.runtime.image " + image + " is not an allowed image: " + ALLOWED_IMAGES);
    }
  }

  @Test
  @Order(3)
  void aRuntimeClassOutsideTheAllowedOnesIsRefused() {
    assertRefused(
        apply("bad-class", "{runtimeClassName: kata}"),
        "bad-class",
        "spec.runtime.runtimeClassName kata is not an allowed RuntimeClass: use one of nvidia, or"
            + " remove it");
  }

  @Test
  @Order(4)
  void tolerationsOfTheControlPlaneAreRefused() {
    assertRefused(
        apply(
            "control-plane",
            "{tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists,"
                + " effect: NoSchedule}]}"),
        "control-plane",
        "spec.runtime.tolerations may not tolerate the control plane's taints: remove the"
            + " toleration of node-role.kubernetes.io/control-plane");
    assertRefused(
        apply(
            "master",
            "{tolerations: [{key: nvidia.com/gpu, operator: Exists},"
                + " {key: node-role.kubernetes.io/master, operator: Equal, effect: NoExecute}]}"),
        "master",
        "remove the toleration of node-role.kubernetes.io/master");
    assertRefused(
        apply("everything", "{tolerations: [{operator: Exists}]}"),
        "everything",
        "remove the toleration without a key (it tolerates every taint)");
  }

  @Test
  @Order(5)
  void anUpdateThatAddsARefusedValueIsRefused() {
    assertAdmitted(apply("update", "{image: registry.example.com/ml/runtime:1}"), "update");
    assertRefused(
        apply("update", "{image: evil/runtime:1}"),
        null,
        "spec.runtime.image evil/runtime:1 is not an allowed image");
    assertRefused(
        cluster.kubectl(
            "patch",
            "mdep/update",
            "--type=merge",
            "-p",
            "{\"spec\":{\"runtime\":{\"runtimeClassName\":\"kata\"}}}"),
        null,
        "spec.runtime.runtimeClassName kata is not an allowed RuntimeClass");
    // With the Java client, as a program would.
    assertThatThrownBy(
            () ->
                mdeps
                    .api()
                    .inNamespace("default")
                    .withName("update")
                    .edit(
                        md -> {
                          runtime(md)
                              .put(
                                  "tolerations",
                                  List.of(
                                      Map.of(
                                          "key",
                                          "node-role.kubernetes.io/control-plane",
                                          "operator",
                                          "Exists")));
                          return md;
                        }))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getMessage())
                  .contains("remove the toleration of node-role.kubernetes.io/control-plane");
            });
    assertThat(runtime(mdeps.api().inNamespace("default").withName("update").get()))
        .containsEntry("image", "registry.example.com/ml/runtime:1")
        .doesNotContainKeys("runtimeClassName", "tolerations");

    assertAdmitted(
        apply("update", "{image: registry.example.com/ml/runtime:2, replicas: 3}"), "update");
  }

  @Test
  @Order(6)
  void aModelDeploymentMadeBeforeThePolicyKeepsItsValuesButGetsNoOtherRefusedOne() {
    // The operator removes its annotations with a patch; other fields change as usual.
    for (List<String> edit :
        List.of(
            List.of("annotate", "mdep/legacy", "modelops.dev/promote=true"),
            List.of("annotate", "mdep/legacy", "modelops.dev/promote-"),
            List.of(
                "patch",
                "mdep/legacy",
                "--type=merge",
                "-p",
                "{\"spec\":{\"runtime\":{\"replicas\":2}}}"))) {
      ScriptRun run = cluster.kubectl(edit.toArray(String[]::new));
      assertThat(run.exitCode()).as("%s: %s", edit, run.stderr()).isZero();
    }
    assertRefused(
        cluster.kubectl(
            "patch",
            "mdep/legacy",
            "--type=merge",
            "-p",
            "{\"spec\":{\"runtime\":{\"image\":\"evil/runtime:2\"}}}"),
        null,
        "spec.runtime.image evil/runtime:2 is not an allowed image");
    assertRefused(
        cluster.kubectl(
            "patch",
            "mdep/legacy",
            "--type=json",
            "-p",
            "[{\"op\":\"add\",\"path\":\"/spec/runtime/tolerations/-\","
                + "\"value\":{\"key\":\"node-role.kubernetes.io/master\"}}]"),
        null,
        "remove the toleration of node-role.kubernetes.io/master");
    assertThat(runtime(mdeps.api().inNamespace("default").withName("legacy").get()))
        .containsEntry("image", "evil/runtime:1")
        .containsEntry("replicas", 2);
  }

  @Test
  @Order(7)
  void withWarnARefusedValueIsAdmittedWithAWarning() {
    install(
        "admissionPolicy.enabled=true",
        "admissionPolicy.allowedImages={registry.example.com/ml/}",
        "admissionPolicy.validationActions={Warn}");
    await("the binding only warns")
        .atMost(ACTIVE)
        .until(() -> apply("probe", "{image: evil/runtime:1}", "--dry-run=server").exitCode() == 0);
    ScriptRun run = apply("warned", "{image: evil/runtime:1}");
    assertAdmitted(run, "warned");
    assertThat(run.stderr())
        .contains("Warning: Validation failed for ValidatingAdmissionPolicy '" + POLICY + "'")
        .contains("spec.runtime.image evil/runtime:1 is not an allowed image: " + ALLOWED_IMAGES);
  }

  static void install(String... sets) {
    ScriptRun run = Helm.installWithoutWaiting(cluster.kubeconfig(), sets);
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
  }

  /** kubectl apply of a ModelDeployment with this spec.runtime (YAML flow style; null: none). */
  static ScriptRun apply(String name, String runtime, String... flags) {
    String yaml =
        """
        apiVersion: modelops.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: %s, namespace: default}
        spec:
          model: {uri: "https://models.example/iris.onnx", sha256: "%s"}
        """
            .formatted(name, "a".repeat(64));
    if (runtime != null) {
      yaml += "  runtime: " + runtime + "\n";
    }
    try {
      Path file = Files.writeString(Files.createTempFile(temp, name, ".yaml"), yaml);
      List<String> args = new java.util.ArrayList<>(List.of("apply", "-f", file.toString()));
      args.addAll(List.of(flags));
      return cluster.kubectl(args.toArray(String[]::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void assertAdmitted(ScriptRun run, String name) {
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(mdeps.api().inNamespace("default").withName(name).get()).isNotNull();
  }

  /** Refused by the policy with this message; a new ModelDeployment (name) was not made. */
  static void assertRefused(ScriptRun run, String name, String message) {
    assertThat(run.exitCode()).as("refused: " + run.stdout()).isNotZero();
    assertThat(run.stderr())
        .contains("ValidatingAdmissionPolicy '" + POLICY + "'")
        .contains("denied request: ")
        .contains(message);
    if (name != null) {
      assertThat(mdeps.api().inNamespace("default").withName(name).get()).isNull();
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> runtime(GenericKubernetesResource md) {
    Map<String, Object> spec = (Map<String, Object>) md.getAdditionalProperties().get("spec");
    return (Map<String, Object>) spec.get("runtime");
  }
}
