package dev.modelops.e2e.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.api.TestNamespaces;
import dev.modelops.e2e.helm.Helm;
import dev.modelops.e2e.sandbox.ClusterForward;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;

/**
 * What the rollout tests share: a cluster of their own with the chart's operator pod on the real
 * node, a namespace per test, ModelDeployment specs, and the status, Deployments, Services, routes
 * and events they look at. One instance per class holds its cluster, so that the classes run in
 * parallel (junit-platform.properties).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RolloutTestBase {

  static final Duration WAIT = Duration.ofMinutes(4);
  static final String MODELS = "http://models.modelops-sandbox.svc/";
  SandboxCluster cluster;
  KubernetesClient client;
  ModelDeployments mdeps;
  String ns;

  /** The name of the class's cluster, and start.sh's options beyond the chart's operator pod. */
  abstract String clusterName();

  abstract List<String> clusterOptions();

  @BeforeAll
  void start() {
    cluster = Helm.clusterWithOperatorPod(clusterName(), clusterOptions().toArray(String[]::new));
    client = cluster.client();
    mdeps = new ModelDeployments(client);
  }

  @AfterAll
  void stop() {
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

  String sha256(String file) throws Exception {
    byte[] bytes = Files.readAllBytes(cluster.modelsDir().resolve(file));
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /**
   * One pod of a model file, with the given rollout: each pod is a JVM that the two cores of the
   * machine start, so a test has as many as it needs and no more.
   */
  Map<String, Object> spec(String version, String file, Map<String, Object> rollout)
      throws Exception {
    return spec(version, file, rollout, 1);
  }

  /** {@code replicas} pods of a model file, with the given rollout. */
  Map<String, Object> spec(String version, String file, Map<String, Object> rollout, int replicas)
      throws Exception {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put(
        "model",
        Map.of("name", "iris", "version", version, "uri", MODELS + file, "sha256", sha256(file)));
    spec.put(
        "runtime",
        Map.of(
            "replicas",
            replicas,
            "resources",
            Map.of("requests", Map.of("cpu", "50m", "memory", "256Mi"))));
    spec.put("rollout", rollout);
    return spec;
  }

  static Map<String, Object> canary(List<Map<String, Object>> steps, Map<String, Object> analysis) {
    Map<String, Object> rollout = new LinkedHashMap<>();
    rollout.put("strategy", "Canary");
    rollout.put("steps", steps);
    if (analysis != null) {
      rollout.put("analysis", analysis);
    }
    return rollout;
  }

  static Map<String, Object> step(int weight, String duration) {
    return Map.of("weight", weight, "duration", duration);
  }

  /**
   * The latency bound of the checks whose test is not about latency: on this machine, three
   * sandboxes busy, a fresh canary pod's first requests measured a p99 of 2.1 s (its stable's 600
   * ms) in a fresh-clone run of 2026-12-03, a Fail verdict for a good canary; and at {@link
   * #steadyLoad}'s rate an interval's p99 is about its slowest request or two. Only a broken pod is
   * over it; the slow canary's test sets 50ms.
   */
  static final String ONLY_A_BROKEN_POD = "10s";

  static Map<String, Object> analysis(String interval, int failureLimit, String maxLatencyP99) {
    Map<String, Object> analysis = new LinkedHashMap<>();
    analysis.put("interval", interval);
    analysis.put("failureLimit", failureLimit);
    analysis.put("minRequests", 10);
    analysis.put("maxErrorRate", 0.01);
    analysis.put("maxLatencyP99", maxLatencyP99);
    analysis.put("source", "pods");
    return analysis;
  }

  void apply(String name, Map<String, Object> spec) {
    GenericKubernetesResource mdep = ModelDeployments.modelDeployment(name, spec);
    mdep.getMetadata().setNamespace(ns);
    mdeps.api().inNamespace(ns).resource(mdep).serverSideApply();
  }

  GenericKubernetesResource get(String name) {
    return mdeps.api().inNamespace(ns).withName(name).get();
  }

  Map<String, Object> status(String name) {
    return ModelDeployments.status(get(name));
  }

  Map<String, Object> canaryStatus(String name) {
    return ModelDeployments.canary(get(name));
  }

  Object stable(String name) {
    return status(name).get("stableRevision");
  }

  @SuppressWarnings("unchecked")
  Map<Integer, Map<String, Object>> revisions(String name) {
    Map<Integer, Map<String, Object>> byNumber = new LinkedHashMap<>();
    for (Map<String, Object> r :
        (List<Map<String, Object>>) status(name).getOrDefault("revisions", List.of())) {
      byNumber.put(((Number) r.get("number")).intValue(), r);
    }
    return byNumber;
  }

  void awaitCondition(String name, String type, String status, String reason) {
    await(name + " " + type + "=" + status + " (" + reason + ")")
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(ModelDeployments.condition(get(name), type))
                    .containsEntry("status", status)
                    .containsEntry("reason", reason));
  }

  void awaitStable(String name, int revision) {
    await(name + " stable revision " + revision)
        .atMost(WAIT)
        .until(() -> Integer.valueOf(revision).equals(stable(name)));
  }

  List<String> deployments() {
    return client.apps().deployments().inNamespace(ns).list().getItems().stream()
        .map(d -> d.getMetadata().getName())
        .sorted()
        .toList();
  }

  List<String> eventReasons(String name) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .filter(e -> "ModelDeployment".equals(e.getInvolvedObject().getKind()))
        .map(Event::getReason)
        .toList();
  }

  /** Events are written after the status that made them: wait for them. */
  void awaitEvents(String name, String... reasons) {
    await(name + " Events " + String.join(", ", reasons))
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(eventReasons(name)).contains(reasons));
  }

  void annotate(String name, String annotation) {
    ScriptRun run = cluster.kubectl("-n", ns, "annotate", "mdep/" + name, annotation);
    assertThat(run.exitCode()).as(run.stderr()).isZero();
  }

  ClusterForward service(String name) {
    String ip = client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
    return cluster.forward(ip + ":8080");
  }

  /** The same analysis, read from the sandbox's Prometheus (or from one that is not there). */
  static Map<String, Object> fromPrometheus(Map<String, Object> rollout, String url) {
    @SuppressWarnings("unchecked")
    Map<String, Object> analysis =
        new LinkedHashMap<>((Map<String, Object>) rollout.get("analysis"));
    analysis.put("source", "prometheus");
    analysis.put("prometheus", Map.of("url", url));
    Map<String, Object> copy = new LinkedHashMap<>(rollout);
    copy.put("analysis", analysis);
    return copy;
  }

  List<String> verdicts(String name) {
    return verdictDetails(name).stream().map(v -> (String) v.get("verdict")).toList();
  }

  /** The canary's last checks as status holds them: verdict, message and numbers. */
  @SuppressWarnings("unchecked")
  List<Map<String, Object>> verdictDetails(String name) {
    return (List<Map<String, Object>>) canaryStatus(name).getOrDefault("verdicts", List.of());
  }

  void deleteTheOperatorPod() {
    Pod operator =
        client.pods().inNamespace("modelops-system").list().getItems().stream()
            .filter(p -> p.getMetadata().getName().startsWith("modelops-operator"))
            .findFirst()
            .orElseThrow();
    client.pods().resource(operator).withGracePeriod(0).delete();
  }

  void setPaused(String name, boolean paused) {
    ScriptRun run =
        cluster.kubectl(
            "-n",
            ns,
            "patch",
            "mdep/" + name,
            "--type=merge",
            "-p",
            "{\"spec\":{\"rollout\":{\"paused\":" + paused + "}}}");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
  }

  GenericKubernetesResource route(String name) {
    return client
        .genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
        .inNamespace(ns)
        .withName(name)
        .get();
  }

  /** The route's backends as "service=weight", sorted by service; empty without a route. */
  @SuppressWarnings("unchecked")
  String routeWeights(String name) {
    GenericKubernetesResource route = route(name);
    if (route == null) {
      return "";
    }
    Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
    List<Map<String, Object>> rules = (List<Map<String, Object>>) spec.get("rules");
    return ((List<Map<String, Object>>) rules.get(0).get("backendRefs"))
        .stream()
            .map(b -> b.get("name") + "=" + b.get("weight"))
            .sorted()
            .collect(java.util.stream.Collectors.joining(","));
  }

  List<String> services() {
    return client.services().inNamespace(ns).list().getItems().stream()
        .map(s -> s.getMetadata().getName())
        .sorted()
        .toList();
  }

  /**
   * Steady single-row requests to a Service for the canary tests: two clients, each pausing 50 ms
   * between requests (about 30 requests a second here), as many as the drift tests send. A check
   * needs 10 of the canary's requests in its 10 s ({@link #analysis}); every request more costs CPU
   * in the runtime pods, the forwarder and the kernel, which the classes running beside share
   * (docs/development.md, "Tests").
   */
  static LoadGenerator steadyLoad(ClusterForward forward) {
    return new LoadGenerator(forward.url(), "iris", 2, Duration.ofMillis(50));
  }

  /** The count of answers with this status stops growing while the load goes on. */
  static void awaitNoNewAnswers(LoadGenerator load, int status) {
    long[] last = {load.answered(status)};
    await("no new " + status + " answers for 5 s")
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(5))
        .until(
            () -> {
              long now = load.answered(status);
              boolean same = now == last[0];
              last[0] = now;
              return same;
            });
  }

  List<Pod> pods(String name) {
    return client
        .pods()
        .inNamespace(ns)
        .withLabel("modelops.dev/deployment", name)
        .list()
        .getItems();
  }

  static String revisionOf(Pod pod) {
    return pod.getMetadata().getLabels().get("modelops.dev/revision");
  }
}
