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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Rollouts on the sandbox's real node under live traffic: the operator runs as the chart's pod and
 * reads the runtime pods' metrics by pod IP; a load generator sends steady requests through the
 * Service, routed by kube-proxy, and counts every answer that is not a 200.
 *
 * <p>The longest class of the module, so it starts first (junit-platform.properties).
 */
@Order(1)
class CanaryRolloutTest {

  static final Duration WAIT = Duration.ofMinutes(4);
  static final String MODELS = "http://models.modelops-sandbox.svc/";
  static SandboxCluster cluster;
  static KubernetesClient client;
  static ModelDeployments mdeps;
  String ns;

  @BeforeAll
  static void start() {
    cluster = Helm.clusterWithOperatorPod("canary", "--gateway-api");
    client = cluster.client();
    mdeps = new ModelDeployments(client);
  }

  @AfterAll
  static void stop() {
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

  static String sha256(String file) throws Exception {
    byte[] bytes = Files.readAllBytes(cluster.modelsDir().resolve(file));
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** Two pods of a model file, with the given rollout. */
  static Map<String, Object> spec(String version, String file, Map<String, Object> rollout)
      throws Exception {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put(
        "model",
        Map.of("name", "iris", "version", version, "uri", MODELS + file, "sha256", sha256(file)));
    spec.put(
        "runtime",
        Map.of(
            "replicas",
            2,
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

  @SuppressWarnings("unchecked")
  Map<String, Object> canaryStatus(String name) {
    return (Map<String, Object>) status(name).getOrDefault("canary", Map.of());
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

  void annotate(String name, String annotation) {
    ScriptRun run = cluster.kubectl("-n", ns, "annotate", "mdep/" + name, annotation);
    assertThat(run.exitCode()).as(run.stderr()).isZero();
  }

  ClusterForward service(String name) {
    String ip = client.services().inNamespace(ns).withName(name).get().getSpec().getClusterIP();
    return cluster.forward(ip + ":8080");
  }

  @Test
  void aGoodCanaryWalksItsStepsUnderLoadAndIsPromotedWithoutAFailedRequest() throws Exception {
    Map<String, Object> rollout =
        canary(List.of(step(25, "20s"), step(50, "20s")), analysis("10s", 2, "1s"));
    apply("iris", spec("1", "mlp.onnx", rollout));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");

    try (ClusterForward forward = service("iris");
        LoadGenerator load = new LoadGenerator(forward.url(), "iris", 2, Duration.ofMillis(25))) {
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
      assertThat(eventReasons("iris")).contains("RolloutStarted", "CanaryStep", "RolledOut");
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
        LoadGenerator load = new LoadGenerator(forward.url(), "iris", 2, Duration.ofMillis(25))) {
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
      long okBefore = load.answered(200);
      await("stable answers").atMost(WAIT).until(() -> load.answered(200) > okBefore + 20);
      assertThat(eventReasons("iris")).contains("AnalysisCheckFailed", "RolledBack");

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
    assertThat(get("iris").getMetadata().getAnnotations())
        .doesNotContainKey("modelops.dev/promote");
    assertThat(status("iris"))
        .extractingByKey("lastAction")
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("request", "modelops.dev/promote=true")
        .containsEntry("result", "Done");
  }

  @Test
  void rollbackToAnEarlierRevisionServesItAgainAndAnUnknownOneIsRefused() throws Exception {
    Map<String, Object> immediate = Map.of("strategy", "Immediate");
    apply("iris", spec("1", "mlp.onnx", immediate));
    awaitCondition("iris", "Available", "True", "MinimumReplicasAvailable");
    try (ClusterForward forward = service("iris");
        LoadGenerator load = new LoadGenerator(forward.url(), "iris", 2, Duration.ofMillis(25))) {
      apply("iris", spec("2", "mlp.onnx", immediate));
      awaitStable("iris", 2);

      annotate("iris", "modelops.dev/rollback-to=1");
      awaitStable("iris", 3);
      awaitCondition("iris", "Progressing", "False", "RolloutComplete");
      assertThat(eventReasons("iris")).contains("RollbackStarted");
      Map<Integer, Map<String, Object>> revisions = revisions("iris");
      assertThat(revisions.get(3))
          .containsEntry("modelVersion", "1")
          .containsEntry("source", "Rollback")
          .containsEntry("phase", "Serving");
      assertThat(revisions.get(2)).containsEntry("phase", "RolledBack");
      assertThat(revisions).doesNotContainKey(1);
      assertThat(get("iris").getMetadata().getAnnotations())
          .doesNotContainKey("modelops.dev/rollback-to");
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
    Pod operator =
        client.pods().inNamespace("modelops-system").list().getItems().stream()
            .filter(p -> p.getMetadata().getName().startsWith("modelops-operator"))
            .findFirst()
            .orElseThrow();
    client.pods().resource(operator).withGracePeriod(0).delete();
    await("step 3 after the restart")
        .atMost(WAIT)
        .until(() -> Integer.valueOf(2).equals(canaryStatus("iris").get("step")));
    assertThat(canaryStatus("iris").get("startedAt")).isEqualTo(startedAt);
    awaitStable("iris", 2);
    // A spec change in the middle of the next canary supersedes it: nothing of it is left.
    apply("iris", spec("3", "mlp.onnx", rollout));
    await("canary 3")
        .atMost(WAIT)
        .until(() -> Integer.valueOf(3).equals(canaryStatus("iris").get("revision")));
    apply("iris", spec("4", "mlp.onnx", rollout));
    await("canary 4, and revision 3's Deployment gone")
        .atMost(WAIT)
        .until(
            () ->
                Integer.valueOf(4).equals(canaryStatus("iris").get("revision"))
                    && deployments().equals(List.of("iris-r2", "iris-r4")));
    assertThat(revisions("iris").get(3)).containsEntry("phase", "Superseded");
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

    // A canary superseded by the next spec leaves neither a Service nor a backend behind.
    apply("iris", spec("3", "mlp.onnx", rollout));
    await("canary 3 takes its share")
        .atMost(WAIT)
        .until(() -> "iris-r2=80,iris-r3=20".equals(routeWeights("iris")));
    apply("iris", spec("4", "mlp.onnx", rollout));
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
