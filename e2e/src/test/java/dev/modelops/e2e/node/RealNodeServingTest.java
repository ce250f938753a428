package dev.modelops.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.api.TestNamespaces;
import dev.modelops.e2e.operator.OperatorProcess;
import dev.modelops.e2e.sandbox.AppImages;
import dev.modelops.e2e.sandbox.ClusterForward;
import dev.modelops.e2e.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * ModelDeployments on the sandbox's real node: pods that a kubelet really runs from the runtime
 * image, models fetched from the sandbox's file server, Services routed by kube-proxy. Every status
 * asserted here is what the kubelet reported, none is written by the test.
 */
@Order(Schedule.BACK_2)
class RealNodeServingTest {

  static final Duration WAIT = Duration.ofMinutes(3);
  static final String MODELS = "http://models.modelops-sandbox.svc/";
  static final String OPERATOR_NAMESPACE = "modelops-system";
  static final String RUNTIME_FETCH_CONTAINER = "fetch-model";
  static final String RUNTIME_CONTAINER = "runtime";
  static final String DENIED_NETWORK = "192.0.2.0/24";
  static final String IRIS_ROW =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
          + "\"data\":[5.1,3.5,1.4,0.2]}]}";
  static SandboxCluster cluster;
  static KubernetesClient client;
  static ModelDeployments mdeps;
  static OperatorProcess operator;
  String ns;

  @BeforeAll
  static void start() {
    // No kwok nodes: every pod lands on the real node, 2 simulated GPUs.
    cluster =
        SandboxCluster.startWithRealNode(
            "real-node",
            List.of(AppImages.runtime()),
            List.of("--cpu-nodes", "0", "--gpu-nodes", "0", "--real-node-gpus", "2"));
    client = cluster.client();
    mdeps = new ModelDeployments(client);
    mdeps.installCrd();
    // The operator's namespace as the chart passes it: the NetworkPolicies let it in. A denied
    // network added (a documentation range, where nothing is), which the fetch steps must read.
    operator =
        OperatorProcess.start(
            cluster,
            "operator",
            cluster.kubeconfig(),
            Map.of(
                "MODELOPS_OPERATOR_NAMESPACE",
                OPERATOR_NAMESPACE,
                "MODELOPS_OPERATOR_FETCH_DENIED_NETWORKS",
                DENIED_NETWORK));
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
  void deleteNamespace() {
    TestNamespaces.delete(client, ns, WAIT);
  }

  static String sha256(String modelFile) throws Exception {
    byte[] bytes = Files.readAllBytes(cluster.modelsDir().resolve(modelFile));
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  static Map<String, Object> spec(String file, String sha256, Map<String, Object> runtime) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("model", Map.of("version", "1", "uri", MODELS + file, "sha256", sha256));
    Map<String, Object> rt = new LinkedHashMap<>();
    rt.put("replicas", 1);
    rt.put("resources", Map.of("requests", Map.of("cpu", "100m", "memory", "256Mi")));
    rt.putAll(runtime);
    spec.put("runtime", rt);
    return spec;
  }

  void apply(String name, Map<String, Object> spec) {
    GenericKubernetesResource mdep = ModelDeployments.modelDeployment(name, spec);
    mdep.getMetadata().setNamespace(ns);
    mdeps.api().inNamespace(ns).resource(mdep).serverSideApply();
  }

  Map<String, Object> condition(String name, String type) {
    return ModelDeployments.condition(mdeps.api().inNamespace(ns).withName(name).get(), type);
  }

  void awaitCondition(String name, String type, String status, String reason) {
    await(name + " " + type + "=" + status + " (" + reason + ")")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(condition(name, type))
                    .containsEntry("status", status)
                    .containsEntry("reason", reason));
  }

  /** A Secret of the test's namespace holding a runtime token under the key {@code token}. */
  void createTokenSecret(String name, String token) {
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withStringData(Map.of("token", token))
                .build())
        .create();
  }

  List<Pod> pods(String name) {
    return client
        .pods()
        .inNamespace(ns)
        .withLabel("modelops.dev/deployment", name)
        .list()
        .getItems();
  }

  static Instant readySince(Pod pod) {
    return pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
        .map(c -> Instant.parse(c.getLastTransitionTime()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(pod.getMetadata().getName() + " is not Ready"));
  }

  @Test
  void availableOnlyOnceTheReadinessProbePassesAndTheServiceAnswers() throws Exception {
    apply("iris", spec("mlp.onnx", sha256("mlp.onnx"), Map.of("replicas", 2)));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");

    List<Pod> pods = pods("iris");
    assertThat(pods).hasSize(2);
    Instant available =
        Instant.parse((String) condition("iris", "Available").get("lastTransitionTime"));
    for (Pod pod : pods) {
      assertThat(pod.getSpec().getNodeName()).isEqualTo("sandbox-node-1");
      // The kubelet's own record: the fetch container finished, the runtime passed its probe
      // before the ModelDeployment said Available (seconds, as conditions keep them).
      ContainerStatus fetch = pod.getStatus().getInitContainerStatuses().get(0);
      assertThat(fetch.getState().getTerminated().getExitCode()).isZero();
      assertThat(readySince(pod)).isBeforeOrEqualTo(available);
      assertThat(pod.getStatus().getPodIP()).startsWith("10.244.0.");
      // The JVM options the operator was given (OperatorProcess: C1 only) reached both JVMs of
      // the pod, as each says when it starts.
      var logs = client.pods().inNamespace(ns).withName(pod.getMetadata().getName());
      for (String container : List.of("fetch-model", "runtime")) {
        assertThat(logs.inContainer(container).getLog())
            .as("the log of %s in %s", container, pod.getMetadata().getName())
            .contains("Picked up JAVA_TOOL_OPTIONS: " + OperatorProcess.C1_ONLY);
      }
    }

    // The Service's EndpointSlice lists exactly the ready pods' addresses.
    var slices =
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(ns)
            .withLabel("kubernetes.io/service-name", "iris")
            .list()
            .getItems();
    List<Endpoint> endpoints = slices.stream().flatMap(s -> s.getEndpoints().stream()).toList();
    assertThat(endpoints)
        .allSatisfy(e -> assertThat(e.getConditions().getReady()).isTrue())
        .flatExtracting(Endpoint::getAddresses)
        .containsExactlyInAnyOrderElementsOf(
            pods.stream().map(p -> p.getStatus().getPodIP()).toList());

    // A V2 inference through the Service's ClusterIP, routed by the node's kube-proxy.
    String clusterIp =
        client.services().inNamespace(ns).withName("iris").get().getSpec().getClusterIP();
    try (ClusterForward service = cluster.forward(clusterIp + ":8080")) {
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(service.url() + "/v2/models/iris/infer"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
                                  + "\"data\":[5.1,3.5,1.4,0.2]}]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      assertThat(answer.body()).contains("\"model_name\":\"iris\"").contains("\"shape\":[1,3]");
    }

    // The endpoint in status resolves inside a pod (cluster DNS) and answers: a pod of the
    // runtime's image GETs it with its fetch command.
    String endpoint =
        (String)
            ModelDeployments.status(mdeps.api().inNamespace(ns).withName("iris").get())
                .get("endpoint");
    assertThat(endpoint).isEqualTo("http://iris." + ns + ".svc:8080/v2/models/iris");
    client
        .pods()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName("client")
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("get")
                .withImage("modelops/runtime:0.1.0")
                .withArgs("fetch", "--uri", endpoint, "--dest", "/tmp/metadata.json")
                .endContainer()
                .endSpec()
                .build())
        .create();
    await("the client pod's GET of " + endpoint)
        .atMost(WAIT)
        .until(
            () ->
                List.of("Succeeded", "Failed")
                    .contains(
                        client
                            .pods()
                            .inNamespace(ns)
                            .withName("client")
                            .get()
                            .getStatus()
                            .getPhase()));
    String said = client.pods().inNamespace(ns).withName("client").getLog();
    assertThat(client.pods().inNamespace(ns).withName("client").get().getStatus().getPhase())
        .as(said)
        .isEqualTo("Succeeded");
    assertThat(said).contains("fetch: model ready at /tmp/metadata.json");
  }

  @Test
  void podsPassTheRestrictedPodSecurityStandard() throws Exception {
    // Enforced by the API server's PodSecurity admission: a pod breaking the standard is refused.
    client
        .namespaces()
        .withName(ns)
        .edit(
            n -> {
              n.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "restricted");
              return n;
            });
    apply("restricted", spec("mlp.onnx", sha256("mlp.onnx"), Map.of()));
    awaitCondition("restricted", "Available", "True", "MinimumReplicasAvailable");
    assertThat(
            client.v1().events().inNamespace(ns).list().getItems().stream()
                .map(e -> e.getReason() + ": " + e.getMessage()))
        .noneMatch(e -> e.contains("violates PodSecurity"));
  }

  @Test
  void aModelInsideTheImageServes() {
    // The fetched model's volume once hid the image's /models: the pod crash-looped, "model file
    // /models/iris.onnx does not exist".
    Map<String, Object> spec = spec("unused", "unused", Map.of());
    spec.put("model", Map.of("version", "1", "uri", "file:///models/iris.onnx"));
    apply("shipped", spec);
    awaitCondition("shipped", "Available", "True", "MinimumReplicasAvailable");
  }

  @Test
  void aChecksumMismatchIsReportedFromTheInitContainersTerminationMessage() {
    apply("tampered", spec("mlp.onnx", "0".repeat(64), Map.of()));
    awaitCondition("tampered", "Degraded", "True", "ChecksumMismatch");
    ContainerStatus fetch = pods("tampered").get(0).getStatus().getInitContainerStatuses().get(0);
    var terminated =
        fetch.getState().getTerminated() != null
            ? fetch.getState().getTerminated()
            : fetch.getLastState().getTerminated();
    assertThat(terminated.getExitCode()).isNotZero();
    assertThat(terminated.getMessage()).contains("sha256");
    assertThat((String) condition("tampered", "Degraded").get("message"))
        .contains("could not fetch the model")
        .contains("0".repeat(64));
    assertThat(condition("tampered", "Available")).containsEntry("status", "False");
  }

  @Test
  void aModelTheServerDoesNotHaveIsModelFetchFailed() {
    apply("missing", spec("no-such-model.onnx", "a".repeat(64), Map.of()));
    awaitCondition("missing", "Degraded", "True", "ModelFetchFailed");
    assertThat((String) condition("missing", "Degraded").get("message"))
        .contains("could not fetch the model")
        .contains("404");
  }

  @Test
  void aCorruptModelCrashLoopsWithTheRuntimesLastWords() throws Exception {
    apply("corrupt", spec("corrupt.onnx", sha256("corrupt.onnx"), Map.of()));
    awaitCondition("corrupt", "Degraded", "True", "CrashLooping");
    ContainerStatus runtime = pods("corrupt").get(0).getStatus().getContainerStatuses().get(0);
    assertThat(runtime.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(runtime.getLastState().getTerminated().getMessage())
        .contains("model corrupt cannot be served: not a valid ONNX model");
    assertThat((String) condition("corrupt", "Degraded").get("message"))
        .contains("keeps crashing")
        .contains("not a valid ONNX model");
  }

  @Test
  void aPodOverItsMemoryLimitIsOomKilledByTheKernel() throws Exception {
    apply(
        "starved",
        spec(
            "mlp.onnx",
            sha256("mlp.onnx"),
            Map.of(
                "resources",
                Map.of(
                    // Far below what a JVM touches while it starts: the kernel kills it every
                    // time, before it could fail on its own (which a tighter limit allows).
                    "requests", Map.of("cpu", "100m", "memory", "16Mi"),
                    "limits", Map.of("memory", "16Mi")))));
    awaitCondition("starved", "Degraded", "True", "CrashLooping");
    ContainerStatus runtime = pods("starved").get(0).getStatus().getContainerStatuses().get(0);
    assertThat(runtime.getLastState().getTerminated().getReason()).isEqualTo("OOMKilled");
    assertThat(runtime.getLastState().getTerminated().getExitCode()).isEqualTo(137);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat((String) condition("starved", "Degraded").get("message"))
                    .contains("OOMKilled: over its memory limit (exit code 137)"));
  }

  @Test
  void anImageNoRegistryHasIsImagePullFailed() throws Exception {
    apply(
        "unpullable",
        spec("mlp.onnx", sha256("mlp.onnx"), Map.of("image", "modelops/no-such-runtime:0.0.1")));
    awaitCondition("unpullable", "Degraded", "True", "ImagePullFailed");
    assertThat((String) condition("unpullable", "Degraded").get("message"))
        .contains("modelops/no-such-runtime:0.0.1");
  }

  @Test
  void gpuPodsHoldASimulatedGpuAndRunOnTheCpu() throws Exception {
    // Tainted as GPU nodes are (start.sh --real-node-taint): only pods that tolerate the taint, as
    // the operator makes GPU pods, are scheduled there. Running pods stay.
    var taint =
        cluster.kubectl("taint", "node", "sandbox-node-1", "nvidia.com/gpu=present:NoSchedule");
    assertThat(taint.exitCode()).as(taint.stderr()).isZero();
    try {
      servesOnSimulatedGpus();
    } finally {
      cluster.kubectl("taint", "node", "sandbox-node-1", "nvidia.com/gpu=present:NoSchedule-");
    }
  }

  void servesOnSimulatedGpus() throws Exception {
    // The runtime image has no CUDA: a GPU model that does not allow the CPU is not served on it.
    apply(
        "gpu-strict",
        spec(
            "mlp.onnx",
            sha256("mlp.onnx"),
            Map.of("gpu", Map.of("count", 1, "product", "NVIDIA-H100-80GB-HBM3"))));
    awaitCondition("gpu-strict", "Degraded", "True", "CrashLooping");
    assertThat((String) condition("gpu-strict", "Degraded").get("message"))
        .contains("keeps crashing")
        .contains("modelops.require-gpu is set, so the CPU is not used");
    assertThat(ModelDeployments.status(mdeps.api().inNamespace(ns).withName("gpu-strict").get()))
        .doesNotContainKey("executionProviders");
    mdeps.api().inNamespace(ns).withName("gpu-strict").delete();
    await("gpu-strict's pod gone, its GPU free")
        .atMost(WAIT)
        .until(() -> pods("gpu-strict").isEmpty());

    // Allowed to fall back: served on the CPU, and status and an Event say so.
    apply(
        "gpu",
        spec(
            "mlp.onnx",
            sha256("mlp.onnx"),
            Map.of(
                "replicas",
                2,
                "gpu",
                Map.of("count", 1, "product", "NVIDIA-H100-80GB-HBM3", "allowCpuFallback", true))));
    awaitCondition("gpu", "Available", "True", "MinimumReplicasAvailable");
    // status.executionProviders and the CpuFallback Event need the operator to reach the pods by
    // IP, as it does from its own pod: the demo checks them (DemoTest); this class's operator runs
    // on the host, outside the pods' network.
    for (Pod pod : pods("gpu")) {
      assertThat(pod.getSpec().getNodeName()).isEqualTo("sandbox-node-1");
      assertThat(
              pod.getSpec()
                  .getContainers()
                  .get(0)
                  .getResources()
                  .getLimits()
                  .get("nvidia.com/gpu")
                  .getAmount())
          .isEqualTo("1");
      String log =
          client
              .pods()
              .inNamespace(ns)
              .withName(pod.getMetadata().getName())
              .inContainer("runtime")
              .getLog();
      assertThat(log).contains("loaded from").contains(" on cpu");
      // kubectl exec reaches the container through the API server and the kubelet.
      var exec =
          cluster.kubectl(
              "exec",
              "-n",
              ns,
              pod.getMetadata().getName(),
              "-c",
              "runtime",
              "--",
              "/opt/java/bin/java",
              "-version");
      assertThat(exec.exitCode()).as(exec.stderr()).isZero();
      assertThat(exec.stderr()).contains("OpenJDK");
    }
    // The device plugin handed each pod a different simulated device.
    String plugin = Files.readString(cluster.dir().resolve("logs/sandbox-gpu-plugin.log"));
    assertThat(plugin).contains("allocating sandbox-gpu-0").contains("allocating sandbox-gpu-1");

    // Both GPUs are taken: a third pod cannot be scheduled, in the scheduler's words.
    apply(
        "gpu-more",
        spec(
            "mlp.onnx",
            sha256("mlp.onnx"),
            Map.of("gpu", Map.of("count", 1, "product", "NVIDIA-H100-80GB-HBM3"))));
    awaitCondition("gpu-more", "Degraded", "True", "InsufficientGPU");
  }

  @Test
  void aModelUrisCredentialsAreShownNowhere() throws Exception {
    // A presigned URL's token and user info: the file server ignores both (Go's FileServer reads
    // the path only; Java's HttpClient does not send user info), so the model serves.
    String token = "SigE2e" + UUID.randomUUID().toString().replace("-", "");
    String password = "PwE2e" + UUID.randomUUID().toString().replace("-", "");
    String server = "http://modelops:" + password + "@models.modelops-sandbox.svc/";
    String query = "?X-Amz-Expires=300&X-Amz-Signature=" + token;
    applyUri("presigned", server + "mlp.onnx" + query, sha256("mlp.onnx"));
    // Two fetches that fail with the token in the URI: a wrong digest, a file the server lacks.
    applyUri("presigned-tampered", server + "mlp.onnx" + query, "0".repeat(64));
    applyUri("presigned-missing", server + "no-such-model.onnx" + query, "a".repeat(64));

    awaitCondition("presigned", "Available", "True", "MinimumReplicasAvailable");
    HttpResponse<String> served = inferThroughService("presigned", null);
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    awaitCondition("presigned-tampered", "Degraded", "True", "ChecksumMismatch");
    awaitCondition("presigned-missing", "Degraded", "True", "ModelFetchFailed");
    assertThat((String) condition("presigned-tampered", "Degraded").get("message"))
        .contains("sha256 mismatch for http://models.modelops-sandbox.svc/mlp.onnx");
    assertThat((String) condition("presigned-missing", "Degraded").get("message"))
        .contains("GET http://models.modelops-sandbox.svc/no-such-model.onnx: HTTP 404");
    // The fetch step read the denied networks the operator gave it, the link-local ones kept.
    assertThat(pods("presigned").get(0).getSpec().getInitContainers().get(0).getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains("MODELOPS_FETCH_DENIED_NETWORKS=169.254.0.0/16,fe80::/10," + DENIED_NETWORK);
    // Every revision's RevisionCreated Event, which quotes the URI, is there to be read.
    await("the three RevisionCreated Events")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .filteredOn(e -> "RevisionCreated".equals(e.getReason()))
                    .hasSize(3)
                    .allSatisfy(
                        e ->
                            assertThat(e.getMessage())
                                .contains("(http://***@models.modelops-sandbox.svc/")
                                .endsWith("?***)")));

    List<String> secrets = List.of(token, password);
    for (String name : List.of("presigned", "presigned-tampered", "presigned-missing")) {
      Map<String, Object> status =
          ModelDeployments.status(mdeps.api().inNamespace(ns).withName(name).get());
      assertThat(Serialization.asYaml(status)).as(name + "'s status").doesNotContain(secrets);
      // The revision history: its annotations and labels name no credential. Its data keeps the
      // whole URI on purpose: the pods are rebuilt from it (as their spec carries it too).
      List<ControllerRevision> revisions =
          client
              .apps()
              .controllerRevisions()
              .inNamespace(ns)
              .withLabel("modelops.dev/deployment", name)
              .list()
              .getItems();
      assertThat(revisions).hasSize(1);
      ControllerRevision revision = revisions.get(0);
      assertThat(Serialization.asYaml(revision.getMetadata()))
          .as(name + "'s ControllerRevision's metadata")
          .doesNotContain(secrets);
      assertThat(Serialization.asJson(revision.getData())).contains(token, password);
      for (Pod pod : pods(name)) {
        assertThat(Serialization.asYaml(pod.getStatus()))
            .as(pod.getMetadata().getName() + "'s status (termination messages)")
            .doesNotContain(secrets);
        for (String container : List.of(RUNTIME_FETCH_CONTAINER, RUNTIME_CONTAINER)) {
          String log = containerLog(pod, container);
          assertThat(log).as(pod.getMetadata().getName() + "/" + container).doesNotContain(secrets);
        }
      }
    }
    // The failing fetch's log named the URI, without its credentials: what was checked quoted it.
    assertThat(containerLog(pods("presigned-missing").get(0), RUNTIME_FETCH_CONTAINER))
        .contains("ModelFetchFailed: GET http://models.modelops-sandbox.svc/no-such-model.onnx");
    assertThat(Serialization.asYaml(client.v1().events().inNamespace(ns).list().getItems()))
        .as("the namespace's Events")
        .doesNotContain(secrets);
    assertThat(operator.log()).as("the operator's log").doesNotContain(secrets);
  }

  void applyUri(String name, String uri, String sha256) {
    Map<String, Object> spec = spec("unused", sha256, Map.of());
    spec.put("model", Map.of("version", "1", "uri", uri, "sha256", sha256));
    apply(name, spec);
  }

  /** A container's log, of its current run or, when it has none yet, of its last one. */
  String containerLog(Pod pod, String container) {
    var logs = client.pods().inNamespace(ns).withName(pod.getMetadata().getName());
    String now = "";
    try {
      now = logs.inContainer(container).getLog();
    } catch (KubernetesClientException e) {
      // Not started (the runtime container of a pod whose fetch fails): nothing it said.
    }
    String before = "";
    try {
      before = logs.inContainer(container).terminated().getLog();
    } catch (KubernetesClientException e) {
      // No earlier run.
    }
    return before + now;
  }

  /** A V2 inference through the Service's ClusterIP (kube-proxy), with an Authorization or none. */
  HttpResponse<String> inferThroughService(String name, String authorization) throws Exception {
    String clusterIp =
        client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
    try (ClusterForward service = cluster.forward(clusterIp + ":8080")) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(service.url() + "/v2/models/" + name + "/infer"))
              .header("Content-Type", "application/json")
              .timeout(Duration.ofSeconds(30))
              .POST(HttpRequest.BodyPublishers.ofString(IRIS_ROW));
      if (authorization != null) {
        request.header("Authorization", authorization);
      }
      // A client of its own each time: a kept connection would stay with a pod being replaced.
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  /** The first answer through the Service; a connection that fails is tried again. */
  HttpResponse<String> answeredThroughService(String name, String authorization) {
    return await("an answer through the Service " + name)
        .atMost(WAIT)
        .ignoreExceptionsInstanceOf(java.io.IOException.class)
        .until(() -> inferThroughService(name, authorization), java.util.Objects::nonNull);
  }

  @Test
  void aTokenSecretThatDoesNotExistIsContainerConfigErrorUntilItIsCreated() throws Exception {
    apply(
        "unkeyed",
        spec(
            "mlp.onnx",
            sha256("mlp.onnx"),
            Map.of(
                "auth", Map.of("tokenSecretRef", Map.of("name", "unkeyed-auth", "key", "token")))));
    // What the kubelet reports for a container whose Secret is missing, read into a reason.
    awaitCondition("unkeyed", "Degraded", "True", "ContainerConfigError");
    assertThat((String) condition("unkeyed", "Degraded").get("message"))
        .startsWith("container runtime of pod unkeyed-r1-")
        .contains("secret \"unkeyed-auth\" not found");
    assertThat(condition("unkeyed", "Available")).containsEntry("status", "False");

    // The kubelet tries again: once the Secret exists, the pod starts and serves.
    createTokenSecret("unkeyed-auth", "e2e-" + java.util.UUID.randomUUID());
    awaitCondition("unkeyed", "Available", "True", "MinimumReplicasAvailable");
    awaitCondition("unkeyed", "Degraded", "False", "AsExpected");
  }

  @Test
  void aTokenFromASecretGuardsTheServiceAndTheNetworkPolicyGoesWithTheSpec() throws Exception {
    String token = "e2e-token-" + java.util.UUID.randomUUID();
    apply(
        "guarded",
        spec(
            "mlp.onnx",
            sha256("mlp.onnx"),
            Map.of("networkPolicy", Map.of("allowedNamespaces", List.of("monitoring")))));
    awaitCondition("guarded", "Available", "True", "MinimumReplicasAvailable");
    assertThat(inferThroughService("guarded", null).statusCode()).isEqualTo(200);

    // The NetworkPolicy: the pods of every revision, their port, from the own namespace, the
    // operator's and the one the spec adds; owned by the ModelDeployment.
    var policy = client.network().v1().networkPolicies().inNamespace(ns).withName("guarded").get();
    assertThat(policy).as("the NetworkPolicy guarded").isNotNull();
    String uid = mdeps.api().inNamespace(ns).withName("guarded").get().getMetadata().getUid();
    assertThat(policy.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("ModelDeployment");
              assertThat(o.getUid()).isEqualTo(uid);
              assertThat(o.getName()).isEqualTo("guarded");
            });
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of("modelops.dev/deployment", "guarded"));
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
    var ingress = policy.getSpec().getIngress().get(0);
    assertThat(ingress.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort().getIntVal()).isEqualTo(8080);
              assertThat(p.getProtocol()).isEqualTo("TCP");
            });
    assertThat(ingress.getFrom())
        .extracting(
            peer ->
                peer.getNamespaceSelector() == null
                    ? "pods of the own namespace: " + peer.getPodSelector().getMatchLabels()
                    : "namespace "
                        + peer.getNamespaceSelector()
                            .getMatchLabels()
                            .get("kubernetes.io/metadata.name"))
        .containsExactly(
            "pods of the own namespace: {}",
            "namespace " + OPERATOR_NAMESPACE,
            "namespace monitoring");

    // Auth set on a serving ModelDeployment: its pods are replaced to take the token, no new
    // revision. The Secret's value ends in a newline, as one made from a file does.
    createTokenSecret("guarded-auth", token + "\n");
    apply(
        "guarded",
        spec(
            "mlp.onnx",
            sha256("mlp.onnx"),
            Map.of(
                "auth",
                Map.of("tokenSecretRef", Map.of("name", "guarded-auth", "key", "token")),
                "networkPolicy",
                Map.of("allowedNamespaces", List.of("monitoring")))));
    // The pods name the Secret; the token is nowhere in their spec. Awaited until the replaced
    // pod is gone: until then the Service may still send a request to it, and it serves without a
    // token, as its spec said.
    await("only pods that name the Secret")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(pods("guarded"))
                    .isNotEmpty()
                    .allSatisfy(
                        pod -> {
                          assertThat(io.fabric8.kubernetes.client.utils.Serialization.asYaml(pod))
                              .doesNotContain(token);
                          assertThat(pod.getSpec().getContainers().get(0).getEnv())
                              .filteredOn(e -> e.getName().equals("MODELOPS_AUTH_TOKEN"))
                              .singleElement()
                              .satisfies(
                                  e ->
                                      assertThat(e.getValueFrom().getSecretKeyRef().getName())
                                          .isEqualTo("guarded-auth"));
                        }));

    awaitCondition("guarded", "Available", "True", "MinimumReplicasAvailable");
    // Every pod left takes the token, so any answer is its. (kube-proxy may briefly still send a
    // connection to the replaced pod's address: such a refused connection is tried again, an answer
    // is not.)
    HttpResponse<String> refused = answeredThroughService("guarded", null);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
    assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    assertThat(refused.body()).startsWith("{\"error\":");
    HttpResponse<String> wrong = answeredThroughService("guarded", "Bearer not-" + token);
    assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(401);
    HttpResponse<String> served = answeredThroughService("guarded", "Bearer " + token);
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    assertThat(served.body()).contains("\"model_name\":\"guarded\"");
    assertThat(ModelDeployments.status(mdeps.api().inNamespace(ns).withName("guarded").get()))
        .containsEntry("stableRevision", 1);

    // Opted out: the operator deletes the policy it made.
    apply(
        "guarded",
        spec(
            "mlp.onnx",
            sha256("mlp.onnx"),
            Map.of(
                "auth",
                Map.of("tokenSecretRef", Map.of("name", "guarded-auth", "key", "token")),
                "networkPolicy",
                Map.of("enabled", false))));
    await("the NetworkPolicy deleted")
        .atMost(WAIT)
        .until(
            () ->
                client.network().v1().networkPolicies().inNamespace(ns).withName("guarded").get()
                    == null);
  }
}
