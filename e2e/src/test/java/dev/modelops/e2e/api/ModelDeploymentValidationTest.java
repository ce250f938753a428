package dev.modelops.e2e.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The API server itself rejects invalid ModelDeployments, from the CRD in crds/, with a message
 * that names the field to fix; valid ones get their defaults.
 */
class ModelDeploymentValidationTest {

  private static final String SHA = "a".repeat(64);
  private static SandboxCluster cluster;
  private static ModelDeployments mdeps;

  @BeforeAll
  static void start() {
    cluster = SandboxCluster.startControlPlaneOnly("validation");
    mdeps = new ModelDeployments(cluster.client());
    mdeps.installCrd();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A valid spec that each case breaks in one place. */
  static Map<String, Object> validSpec() {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put(
        "model",
        map(
            "name",
            "fraud",
            "version",
            "7",
            "uri",
            "https://models.example/fraud/7.onnx",
            "sha256",
            SHA));
    spec.put("runtime", map("replicas", 2, "gpu", map("count", 1)));
    spec.put(
        "rollout",
        map(
            "strategy",
            "Canary",
            "steps",
            list(map("weight", 10, "duration", "2m"), map("weight", 50, "duration", "5m"))));
    return spec;
  }

  static Stream<Arguments> invalidSpecs() {
    return Stream.of(
        invalid("model missing", s -> s.remove("model"), "spec.model: Required value"),
        invalid("uri missing", s -> model(s).remove("uri"), "spec.model.uri: Required value"),
        invalid(
            "unsupported uri scheme",
            s -> model(s).put("uri", "s3://bucket/model.onnx"),
            "spec.model.uri: Invalid value"),
        invalid(
            "pvc path that climbs out of its claim",
            s -> model(s).put("uri", "pvc://models/fraud/../../etc/passwd"),
            "spec.model.uri must not climb out of its claim or directory with '..'"),
        invalid(
            "model maxSize zero",
            s -> model(s).put("maxSize", "0"),
            "spec.model.maxSize must be a positive quantity of bytes"),
        invalid(
            "model maxSize no quantity",
            s -> model(s).put("maxSize", "lots"),
            "spec.model.maxSize"),
        invalid(
            "sha256 too short",
            s -> model(s).put("sha256", "abc123"),
            "spec.model.sha256: Invalid value"),
        invalid(
            "sha256 not hex",
            s -> model(s).put("sha256", "z".repeat(64)),
            "spec.model.sha256: Invalid value"),
        invalid(
            "remote uri without sha256",
            s -> model(s).remove("sha256"),
            "spec.model.sha256 is required when spec.model.uri is an http(s) URI"),
        invalid(
            "baseline without sha256",
            s -> model(s).put("baseline", map("uri", "https://x.example/base.json")),
            "spec.model.baseline.sha256 is required when spec.model.baseline.uri is an http(s) URI"),
        invalid(
            "model name with spaces",
            s -> model(s).put("name", "fraud scorer"),
            "spec.model.name: Invalid value"),
        invalid(
            "version that is no label value",
            s -> model(s).put("version", "1.0+build.7"),
            "spec.model.version: Invalid value"),
        invalid(
            "GPU product that is no label value",
            s -> gpu(s).put("product", "NVIDIA H100"),
            "spec.runtime.gpu.product: Invalid value"),
        invalid(
            "memory limit below its request",
            s ->
                runtime(s)
                    .put(
                        "resources",
                        map("requests", map("memory", "4Gi"), "limits", map("memory", "1Gi"))),
            "spec.runtime.resources: a cpu or memory limit is below its request"),
        invalid(
            "auth token Secret without a name",
            s -> runtime(s).put("auth", map("tokenSecretRef", map("key", "token"))),
            "spec.runtime.auth.tokenSecretRef.name is required"),
        invalid(
            "optional auth token Secret",
            s ->
                runtime(s)
                    .put(
                        "auth",
                        map("tokenSecretRef", map("name", "s", "key", "token", "optional", true))),
            "spec.runtime.auth.tokenSecretRef.optional cannot be true"),
        invalid(
            "allowed namespace that is no namespace name",
            s ->
                runtime(s).put("networkPolicy", map("allowedNamespaces", list("ok", "Monitoring"))),
            "spec.runtime.networkPolicy.allowedNamespaces[1]: Invalid value"),
        invalid(
            "allowed pods without a namespace selector",
            s ->
                runtime(s)
                    .put("networkPolicy", map("allowedPods", list(map("podSelector", map())))),
            "namespaceSelector: Required value"),
        invalid(
            "cpu limit below its request",
            s ->
                runtime(s)
                    .put("resources", map("requests", map("cpu", 2), "limits", map("cpu", "500m"))),
            "spec.runtime.resources: a cpu or memory limit is below its request"),
        invalid(
            "negative replicas",
            s -> runtime(s).put("replicas", -1),
            "spec.runtime.replicas: Invalid value: -1: spec.runtime.replicas in body should be greater than or equal to 0"),
        invalid("zero GPUs", s -> gpu(s).put("count", 0), "spec.runtime.gpu.count: Invalid value"),
        invalid(
            "bad GPU resource name",
            s -> gpu(s).put("resourceName", "nvidia gpu!"),
            "spec.runtime.gpu.resourceName: Invalid value"),
        invalid(
            "GPUs set twice",
            s -> runtime(s).put("resources", map("limits", map("nvidia.com/gpu", "1"))),
            "set GPUs in spec.runtime.gpu.count or in spec.runtime.resources.limits, not both"),
        invalid(
            "bad batching delay",
            s -> runtime(s).put("batching", map("maxDelay", "fast")),
            "spec.runtime.batching.maxDelay: Invalid value"),
        invalid(
            "unknown strategy",
            s -> rollout(s).put("strategy", "BlueGreen"),
            "spec.rollout.strategy: Unsupported value: \"BlueGreen\""),
        invalid(
            "canary without steps",
            s -> rollout(s).remove("steps"),
            "spec.rollout.steps needs at least one step when spec.rollout.strategy is Canary"),
        invalid(
            "steps without canary",
            s -> rollout(s).put("strategy", "Immediate"),
            "spec.rollout.steps is only used with spec.rollout.strategy Canary"),
        invalid(
            "weight zero",
            s -> step(s, 0).put("weight", 0),
            "spec.rollout.steps[0].weight: Invalid value"),
        invalid(
            "weight 100",
            s -> step(s, 1).put("weight", 100),
            "spec.rollout.steps[1].weight: Invalid value: 100: spec.rollout.steps[1].weight in body should be less than or equal to 99"),
        invalid(
            "weights decreasing",
            s -> step(s, 1).put("weight", 5),
            "spec.rollout.steps weights must be strictly increasing"),
        invalid(
            "weights repeated",
            s -> step(s, 1).put("weight", 10),
            "spec.rollout.steps weights must be strictly increasing"),
        invalid(
            "unparsable duration",
            s -> step(s, 0).put("duration", "5 minutes"),
            "spec.rollout.steps[0].duration: Invalid value"),
        invalid(
            "step without duration",
            s -> step(s, 0).remove("duration"),
            "spec.rollout.steps[0].duration: Required value"),
        invalid(
            "history limit zero",
            s -> rollout(s).put("revisionHistoryLimit", 0),
            "spec.rollout.revisionHistoryLimit: Invalid value"),
        invalid(
            "error rate above 1",
            s -> rollout(s).put("analysis", map("maxErrorRate", 1.5)),
            "spec.rollout.analysis.maxErrorRate: Invalid value"),
        invalid(
            "prometheus source without url",
            s -> rollout(s).put("analysis", map("source", "prometheus")),
            "spec.rollout.analysis.prometheus.url is required when spec.rollout.analysis.source is prometheus"),
        invalid(
            "prometheus settings with pods source",
            s ->
                rollout(s)
                    .put(
                        "analysis",
                        map("source", "pods", "prometheus", map("url", "http://p:9090"))),
            "spec.rollout.analysis.prometheus is only used when spec.rollout.analysis.source is prometheus"),
        invalid(
            "gatewayAPI mode without route",
            s -> rollout(s).put("traffic", map("mode", "gatewayAPI")),
            "spec.rollout.traffic.gatewayAPI is required when spec.rollout.traffic.mode is gatewayAPI"),
        invalid(
            "route settings in replicas mode",
            s -> rollout(s).put("traffic", map("gatewayAPI", map("gateway", "gw"))),
            "spec.rollout.traffic.gatewayAPI is only used when spec.rollout.traffic.mode is gatewayAPI"),
        invalid(
            "unknown drift method",
            s -> s.put("drift", map("method", "chi2")),
            "spec.drift.method: Unsupported value: \"chi2\""),
        invalid(
            "drift window too small",
            s -> s.put("drift", map("window", 10)),
            "spec.drift.window: Invalid value"),
        invalid(
            "retraining without job",
            s -> s.put("retraining", map("cooldown", "1h")),
            "spec.retraining.jobTemplate: Required value"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void apiServerRejectsWithAMessageNamingTheField(
      String name, Consumer<Map<String, Object>> breakIt, String message) {
    Map<String, Object> spec = validSpec();
    breakIt.accept(spec);
    GenericKubernetesResource mdep = ModelDeployments.modelDeployment(slug(name), spec);
    assertThatThrownBy(() -> mdeps.create(mdep))
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining(message);
  }

  /**
   * The name becomes the Service's name (a DNS-1035 label), the revisions' Deployments and Services
   * ({@code <name>-r<number>}) and a label value: names that cannot be all of these are refused.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidNames")
  void apiServerRejectsANameTheOperatorCannotServeUnder(String name, String message) {
    GenericKubernetesResource mdep = ModelDeployments.modelDeployment(name, validSpec());
    assertThatThrownBy(() -> mdeps.create(mdep))
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining(message);
  }

  static Stream<Arguments> invalidNames() {
    String charset = "hold only lowercase letters, digits and '-' (no dots)";
    return Stream.of(
        Arguments.of("fraud.v2", charset),
        Arguments.of("7fraud", "metadata.name must start with a lowercase letter"),
        Arguments.of("f".repeat(51), "metadata.name must be at most 50 characters"));
  }

  @Test
  void validSpecIsAcceptedWithDefaults() {
    GenericKubernetesResource created =
        mdeps.create(ModelDeployments.modelDeployment("valid", validSpec()));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) created.getAdditionalProperties().get("spec");
    assertThat(gpu(spec)).containsEntry("resourceName", "nvidia.com/gpu");
    assertThat(rollout(spec)).containsEntry("revisionHistoryLimit", 10);
  }

  @Test
  void aModelMaxSizeIsAQuantityOrANumberOfBytes() {
    Map<String, Object> spec = validSpec();
    model(spec).put("maxSize", "20Gi");
    mdeps.create(ModelDeployments.modelDeployment("max-size-quantity", spec));
    model(spec).put("maxSize", 500000000);
    mdeps.create(ModelDeployments.modelDeployment("max-size-bytes", spec));
  }

  @Test
  void authAndANetworkPolicyAreAcceptedAndThePolicyIsOnByDefault() {
    Map<String, Object> spec = validSpec();
    runtime(spec).put("auth", map("tokenSecretRef", map("name", "fraud-auth", "key", "token")));
    runtime(spec)
        .put(
            "networkPolicy",
            map(
                "allowedNamespaces",
                list("monitoring"),
                "allowedPods",
                list(
                    map(
                        "namespaceSelector",
                        map(),
                        "podSelector",
                        map(
                            "matchLabels",
                            map("app", "gateway"),
                            "matchExpressions",
                            list(map("key", "tier", "operator", "Exists")))))));
    GenericKubernetesResource created =
        mdeps.create(ModelDeployments.modelDeployment("guarded", spec));
    @SuppressWarnings("unchecked")
    Map<String, Object> stored =
        (Map<String, Object>) created.getAdditionalProperties().get("spec");
    assertThat((Map<String, Object>) runtime(stored).get("networkPolicy"))
        .containsEntry("enabled", true);
  }

  @Test
  void pvcAndFileUrisNeedNoChecksum() {
    Map<String, Object> spec = validSpec();
    model(spec).remove("sha256");
    model(spec).put("uri", "pvc://models/fraud/7/model.onnx");
    mdeps.create(ModelDeployments.modelDeployment("from-pvc", spec));
    model(spec).put("uri", "file:///models/model.onnx");
    mdeps.create(ModelDeployments.modelDeployment("from-file", spec));
  }

  @Test
  void kubectlSupportsScaleExplainAndPrinterColumns() {
    mdeps.create(ModelDeployments.modelDeployment("scaled", validSpec()));
    assertThat(cluster.kubectl("scale", "mdep", "scaled", "--replicas=3").exitCode()).isZero();
    assertThat(
            cluster
                .kubectl("get", "mdep", "scaled", "-o", "jsonpath={.spec.runtime.replicas}")
                .stdout())
        .isEqualTo("3");

    String explain = cluster.kubectl("explain", "modeldeployment.spec.runtime.gpu").stdout();
    assertThat(explain).contains("product").contains("nvidia.com/gpu.product").contains("MIG");

    // The MODEL column shows status.modelName, which the operator sets; here, with no operator,
    // the test publishes it as the operator would.
    ScriptRun status =
        cluster.kubectl(
            "patch",
            "mdep",
            "scaled",
            "--subresource=status",
            "--type=merge",
            "-p",
            "{\"status\":{\"modelName\":\"fraud\"}}");
    assertThat(status.exitCode()).as(status.stderr()).isZero();
    String table = cluster.kubectl("get", "mdep", "scaled").stdout();
    assertThat(table.lines().findFirst().orElseThrow())
        .containsSubsequence("NAME", "MODEL", "VERSION", "AVAILABLE", "CANARY", "AGE");
    assertThat(table).containsPattern("scaled\\s+fraud\\s+7\\s");
  }

  private static Arguments invalid(
      String name, Consumer<Map<String, Object>> breakIt, String message) {
    return Arguments.of(name, breakIt, message);
  }

  private static String slug(String name) {
    return name.toLowerCase().replaceAll("[^a-z0-9]+", "-");
  }

  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static List<Object> list(Object... items) {
    return new ArrayList<>(List.of(items));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> model(Map<String, Object> spec) {
    return (Map<String, Object>) spec.get("model");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> runtime(Map<String, Object> spec) {
    return (Map<String, Object>) spec.get("runtime");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> gpu(Map<String, Object> spec) {
    return (Map<String, Object>) runtime(spec).get("gpu");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> rollout(Map<String, Object> spec) {
    return (Map<String, Object>) spec.get("rollout");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> step(Map<String, Object> spec, int i) {
    return (Map<String, Object>) ((List<Object>) rollout(spec).get("steps")).get(i);
  }
}
