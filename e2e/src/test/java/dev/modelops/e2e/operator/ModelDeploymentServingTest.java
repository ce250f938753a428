package dev.modelops.e2e.operator;

import static dev.modelops.e2e.api.ModelDeployments.condition;
import static dev.modelops.e2e.api.ModelDeployments.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.api.TestNamespaces;
import dev.modelops.e2e.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The operator, run as its own process, serves ModelDeployments on the sandbox cluster: real API
 * server, controller manager, scheduler and kwok GPU nodes.
 */
@Order(Schedule.FRONT_5)
class ModelDeploymentServingTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final String SHA = "c".repeat(64);
  static SandboxCluster cluster;
  static KubernetesClient client;
  static ModelDeployments mdeps;
  static OperatorProcess operator;
  String ns;

  @BeforeAll
  static void start() {
    cluster = SandboxCluster.start("serving");
    client = cluster.client();
    mdeps = new ModelDeployments(client);
    mdeps.installCrd();
    operator = OperatorProcess.start(cluster, "operator");
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void namespace(TestInfo test) {
    ns = TestNamespaces.create(client, test);
  }

  @AfterEach
  void releaseGpus() {
    TestNamespaces.delete(client, ns, WAIT);
  }

  static Map<String, Object> gpuSpec(String version, int replicas) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put(
        "model",
        Map.of(
            "version",
            version,
            "uri",
            "https://models.example/fraud/" + version + "/model.onnx",
            "sha256",
            SHA));
    spec.put(
        "runtime",
        Map.of(
            "replicas", replicas, "gpu", Map.of("count", 1, "product", "NVIDIA-H100-80GB-HBM3")));
    return spec;
  }

  GenericKubernetesResource apply(String name, Map<String, Object> spec) {
    GenericKubernetesResource mdep = ModelDeployments.modelDeployment(name, spec);
    mdep.getMetadata().setNamespace(ns);
    return mdeps.api().inNamespace(ns).resource(mdep).serverSideApply();
  }

  GenericKubernetesResource get(String name) {
    return mdeps.api().inNamespace(ns).withName(name).get();
  }

  void awaitCondition(String name, String type, String value, String reason) {
    await(name + " " + type + "=" + value + " " + reason)
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Map<String, Object> c = condition(get(name), type);
              assertThat(c).containsEntry("status", value).containsEntry("reason", reason);
            });
  }

  List<Deployment> deploymentsOf(String name) {
    return client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withLabel("modelops.dev/deployment", name)
        .list()
        .getItems();
  }

  List<Long> revisionNumbers(String name) {
    return OwnedObjects.controllerRevisionNumbers(client, ns, name);
  }

  @Test
  void servesOnGpuNodesWithAHardenedPodAndBecomesAvailable() {
    apply("fraud", gpuSpec("1", 2));
    var wait =
        cluster.kubectl(
            "wait", "-n", ns, "--for=condition=Available", "mdep/fraud", "--timeout=60s");
    assertThat(wait.exitCode()).as(wait.stderr()).isZero();

    List<Deployment> deployments = deploymentsOf("fraud");
    assertThat(deployments).extracting(d -> d.getMetadata().getName()).containsExactly("fraud-r1");
    Deployment d = deployments.get(0);
    assertThat(d.getMetadata().getOwnerReferences())
        .anySatisfy(o -> assertThat(o.getKind()).isEqualTo("ModelDeployment"));
    assertThat(d.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "modelops-operator")
        .containsEntry("modelops.dev/revision", "1");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    Container runtime = pod.getContainers().get(0);
    assertThat(runtime.getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(pod.getNodeSelector())
        .containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");
    assertThat(pod.getTolerations())
        .anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    assertThat(runtime.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    assertThat(runtime.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
    assertThat(runtime.getStartupProbe()).isNotNull();
    assertThat(runtime.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(runtime.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(runtime.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container fetch = pod.getInitContainers().get(0);
    assertThat(fetch.getName()).isEqualTo("fetch-model");
    assertThat(fetch.getArgs()).containsSubsequence("--sha256", SHA);

    assertThat(
            client
                .pods()
                .inNamespace(ns)
                .withLabel("modelops.dev/deployment", "fraud")
                .list()
                .getItems())
        .hasSize(2)
        .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).startsWith("sandbox-gpu-"));
    var budget = client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("fraud").get();
    assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(budget.getSpec().getSelector().getMatchLabels())
        .containsEntry("modelops.dev/deployment", "fraud");
    var service = client.services().inNamespace(ns).withName("fraud").get();
    assertThat(service.getSpec().getSelector()).containsEntry("modelops.dev/deployment", "fraud");
    Map<String, Object> status = status(get("fraud"));
    assertThat(status)
        .containsEntry("stableRevision", 1)
        .containsEntry("readyReplicas", 2)
        .containsEntry("endpoint", "http://fraud." + ns + ".svc:8080/v2/models/fraud");
    assertThat(revisionNumbers("fraud")).containsExactly(1L);
  }

  @Test
  void cpuModelFromTheImageNeedsNoFetchNorGpu() {
    apply(
        "iris",
        Map.of(
            "model", Map.of("uri", "file:///models/iris.onnx"), "runtime", Map.of("replicas", 1)));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    PodSpec pod = deploymentsOf("iris").get(0).getSpec().getTemplate().getSpec();
    assertThat(pod.getInitContainers()).isEmpty();
    assertThat(pod.getTolerations()).isEmpty();
    assertThat(pod.getContainers().get(0).getResources().getLimits())
        .doesNotContainKey("nvidia.com/gpu");
    assertThat(pod.getContainers().get(0).getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("MODELOPS_MODEL_PATH");
              assertThat(e.getValue()).isEqualTo("/models/iris.onnx");
            });
  }

  @Test
  void insufficientGpusAreReportedWithTheSchedulersWordsAndRecover() {
    apply("greedy", gpuSpec("1", 2));
    awaitCondition("greedy", "Available", "True", "MinimumReplicasAvailable");
    assertThat(cluster.kubectl("scale", "-n", ns, "mdep/greedy", "--replicas=6").exitCode())
        .isZero();
    awaitCondition("greedy", "Degraded", "True", "InsufficientGPU");
    assertThat((String) condition(get("greedy"), "Degraded").get("message"))
        .contains("Insufficient nvidia.com/gpu");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .v1()
                            .events()
                            .inNamespace(ns)
                            .withField("involvedObject.name", "greedy")
                            .list()
                            .getItems())
                    .anySatisfy(
                        e ->
                            assertThat(e.getType() + "/" + e.getReason())
                                .isEqualTo("Warning/InsufficientGPU")));

    assertThat(cluster.kubectl("scale", "-n", ns, "mdep/greedy", "--replicas=2").exitCode())
        .isZero();
    awaitCondition("greedy", "Degraded", "False", "AsExpected");
    awaitCondition("greedy", "Available", "True", "MinimumReplicasAvailable");
  }

  @Test
  void specChangeMakesANewRevisionAndRetiresTheOldOne() {
    apply("fraud", gpuSpec("1", 1));
    awaitCondition("fraud", "Available", "True", "MinimumReplicasAvailable");
    apply("fraud", gpuSpec("2", 1));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(status(get("fraud"))).containsEntry("stableRevision", 2);
              assertThat(deploymentsOf("fraud"))
                  .extracting(d -> d.getMetadata().getName())
                  .containsExactly("fraud-r2");
            });
    awaitCondition("fraud", "Available", "True", "MinimumReplicasAvailable");
    assertThat(revisionNumbers("fraud")).containsExactly(1L, 2L);
    assertThat(cluster.kubectl("scale", "-n", ns, "mdep/fraud", "--replicas=2").exitCode())
        .isZero();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status(get("fraud"))).containsEntry("readyReplicas", 2));
    assertThat(revisionNumbers("fraud")).as("scaling makes no revision").containsExactly(1L, 2L);
  }

  @Test
  void deletionCollectsEverythingTheOperatorMade() {
    apply("short-lived", gpuSpec("1", 1));
    awaitCondition("short-lived", "Available", "True", "MinimumReplicasAvailable");
    mdeps.api().inNamespace(ns).withName("short-lived").delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(deploymentsOf("short-lived")).isEmpty();
              assertThat(client.services().inNamespace(ns).withName("short-lived").get()).isNull();
              assertThat(
                      client
                          .policy()
                          .v1()
                          .podDisruptionBudget()
                          .inNamespace(ns)
                          .withName("short-lived")
                          .get())
                  .isNull();
              assertThat(revisionNumbers("short-lived")).isEmpty();
            });
  }

  @Test
  void unservableSpecIsReportedAndOthersKeepWorking() {
    apply("broken", Map.of("model", Map.of("uri", "pvc://only-a-claim")));
    awaitCondition("broken", "Degraded", "True", "InvalidSpec");
    assertThat((String) condition(get("broken"), "Degraded").get("message"))
        .contains("pvc://<claim>/<path>");
    apply("fine", Map.of("model", Map.of("uri", "file:///models/m.onnx")));
    awaitCondition("fine", "Available", "True", "MinimumReplicasAvailable");
    assertThat(operator.alive()).isTrue();
  }

  @Test
  void restartedOperatorKeepsRevisionNumbersAndMakesNoDuplicates() {
    apply("durable", gpuSpec("1", 1));
    awaitCondition("durable", "Available", "True", "MinimumReplicasAvailable");
    apply("durable", gpuSpec("2", 1));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status(get("durable"))).containsEntry("stableRevision", 2));

    operator.close();
    operator = OperatorProcess.start(cluster, "operator-restarted");
    apply("durable", gpuSpec("3", 1));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status(get("durable"))).containsEntry("stableRevision", 3));
    awaitCondition("durable", "Available", "True", "MinimumReplicasAvailable");
    assertThat(revisionNumbers("durable")).containsExactly(1L, 2L, 3L);
    assertThat(deploymentsOf("durable"))
        .extracting(d -> d.getMetadata().getName())
        .containsExactly("durable-r3");
  }

  /**
   * Owned objects edited by hand: a Deployment's and a ControllerRevision's revision label, and a
   * ControllerRevision of garbage made beside them, then the spec's own ControllerRevision made
   * again with garbage. Each is reported by a Warning Event naming it, the labels are put back, the
   * spec's ControllerRevision is made again from the spec, the other garbage is left alone (its
   * number not used again), and the next spec change is applied. Before, a label that was no number
   * failed every reconcile.
   */
  @Test
  void objectsEditedByHandAreReportedAndRepairedAndTheNextSpecIsApplied() throws Exception {
    Map<String, Object> cpu = Map.of("uri", "file:///models/m.onnx", "version", "1");
    apply("edited", Map.of("model", cpu, "runtime", Map.of("replicas", 1)));
    awaitCondition("edited", "Available", "True", "MinimumReplicasAvailable");
    var crs = client.apps().controllerRevisions().inNamespace(ns);
    String crName =
        crs.withLabel("modelops.dev/deployment", "edited")
            .list()
            .getItems()
            .get(0)
            .getMetadata()
            .getName();
    // Merge patches as kubectl label sends them: no resourceVersion, so no conflict with the
    // controllers that write these objects meanwhile.
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("edited-r1")
        .patch(PatchContext.of(PatchType.JSON_MERGE), revisionLabel("abc"));
    crs.withName(crName).patch(PatchContext.of(PatchType.JSON_MERGE), revisionLabel("99"));
    crs.resource(
            new ControllerRevisionBuilder()
                .withNewMetadata()
                .withName("edited-garbage")
                .addToLabels("app.kubernetes.io/managed-by", "modelops-operator")
                .addToLabels("modelops.dev/deployment", "edited")
                .addToLabels("modelops.dev/revision", "5")
                .addNewOwnerReference()
                .withApiVersion("modelops.dev/v1alpha1")
                .withKind("ModelDeployment")
                .withName("edited")
                .withUid(get("edited").getMetadata().getUid())
                .withController(true)
                .endOwnerReference()
                .endMetadata()
                .withRevision(5L)
                .withData(Map.of("not", "a template"))
                .build())
        .create();

    await("the edits reported and the labels put back")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              // A relabelled object is put back by its dependent; the Warning Event comes from
              // the reconcile that sees the edit, and a reconcile that read its cache before the
              // edit may put the label back first, unseen (a fresh-clone run on a busy machine
              // had no Event for the Deployment). The data that is no template stays: reported.
              assertThat(tamperedEvents("edited"))
                  .anySatisfy(
                      m ->
                          assertThat(m)
                              .startsWith(
                                  "ControllerRevision edited-garbage of revision 5 holds no revision template"));
              assertThat(
                      client
                          .apps()
                          .deployments()
                          .inNamespace(ns)
                          .withName("edited-r1")
                          .get()
                          .getMetadata()
                          .getLabels())
                  .containsEntry("modelops.dev/revision", "1");
              assertThat(crs.withName(crName).get().getMetadata().getLabels())
                  .containsEntry("modelops.dev/revision", "1");
            });

    assertThat(operator.log()).doesNotContain(ns + "/edited: reconcile failed");

    // The spec's own ControllerRevision made again with garbage (its data cannot be changed)
    // while no operator runs, so that none sees it missing and numbers the spec anew: the next
    // operator deletes it and makes it again from the spec, under its number.
    ControllerRevision original = crs.withName(crName).get();
    operator.kill();
    crs.withName(crName).delete();
    await("the ControllerRevision deleted")
        .atMost(WAIT)
        .until(() -> crs.withName(crName).get() == null);
    crs.resource(
            new ControllerRevisionBuilder()
                .withMetadata(
                    new ObjectMetaBuilder()
                        .withName(crName)
                        .withLabels(original.getMetadata().getLabels())
                        .withAnnotations(original.getMetadata().getAnnotations())
                        .withOwnerReferences(original.getMetadata().getOwnerReferences())
                        .build())
                .withRevision(1L)
                .withData(Map.of("model", Map.of()))
                .build())
        .create();
    operator = OperatorProcess.start(cluster, "operator-after-edits");
    await("the spec's ControllerRevision written again")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(tamperedEvents("edited"))
                  .anySatisfy(
                      m ->
                          assertThat(m)
                              .isEqualTo(
                                  "ControllerRevision "
                                      + crName
                                      + " of revision 1 holds no revision template (no"
                                      + " model.uri): it is written again from the spec"));
              ControllerRevision again = crs.withName(crName).get();
              assertThat(again.getRevision()).isEqualTo(1L);
              assertThat(String.valueOf(again.getData())).contains("file:///models/m.onnx");
            });

    // The next spec change is applied, past the number the garbage holds.
    apply(
        "edited",
        Map.of(
            "model",
            Map.of("uri", "file:///models/m.onnx", "version", "2"),
            "runtime",
            Map.of("replicas", 1)));
    await("revision 6 serves")
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(status(get("edited"))).containsEntry("stableRevision", 6));
    awaitCondition("edited", "Available", "True", "MinimumReplicasAvailable");
    assertThat(revisionNumbers("edited")).containsExactly(1L, 5L, 6L);
    assertThat(crs.withName("edited-garbage").get()).as("the garbage left alone").isNotNull();
  }

  static String revisionLabel(String value) {
    return "{\"metadata\":{\"labels\":{\"modelops.dev/revision\":\"" + value + "\"}}}";
  }

  /** The messages of the TamperedObject Events of a ModelDeployment. */
  List<String> tamperedEvents(String name) {
    return OwnedObjects.eventsOf(client, ns, name).stream()
        .filter(e -> "TamperedObject".equals(e.getReason()))
        .map(e -> e.getMessage())
        .toList();
  }

  @Test
  void examplesBecomeAvailableAsTheyAre() {
    for (String example : List.of("cpu-model.yaml", "gpu-model.yaml")) {
      var run =
          cluster.kubectl(
              "apply",
              "-n",
              ns,
              "-f",
              SandboxCluster.repo().resolve("examples").resolve(example).toString());
      assertThat(run.exitCode()).as(run.stderr()).isZero();
    }
    var wait =
        cluster.kubectl(
            "wait",
            "-n",
            ns,
            "--for=condition=Available",
            "mdep/iris",
            "mdep/fraud-scorer",
            "--timeout=60s");
    assertThat(wait.exitCode()).as(wait.stderr()).isZero();
  }

  // Pod failures (ChecksumMismatch, ModelFetchFailed, ImagePullFailed, CrashLooping, OOMKilled)
  // are tested on pods a real kubelet runs: dev.modelops.e2e.node.RealNodeServingTest.

  @Test
  void decisionsAreRecordedAsEvents() {
    apply("noted", gpuSpec("1", 1));
    awaitCondition("noted", "Available", "True", "MinimumReplicasAvailable");
    assertThat(cluster.kubectl("scale", "-n", ns, "mdep/noted", "--replicas=2").exitCode())
        .isZero();
    apply("noted", gpuSpec("2", 2));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<String> reasons =
                  client
                      .v1()
                      .events()
                      .inNamespace(ns)
                      .withField("involvedObject.name", "noted")
                      .list()
                      .getItems()
                      .stream()
                      .map(e -> e.getReason())
                      .toList();
              assertThat(reasons).contains("RevisionCreated", "Available", "Scaled", "RolledOut");
              assertThat(reasons.stream().filter("RevisionCreated"::equals).count()).isEqualTo(2);
              assertThat(reasons.stream().filter("RolledOut"::equals).count())
                  .as("one event per decision")
                  .isEqualTo(1);
            });
    String describe = cluster.kubectl("describe", "-n", ns, "mdep/noted").stdout();
    assertThat(describe).contains("created revision 2 for model version 2");
  }
}
