package dev.modelops.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.AuthSpec;
import dev.modelops.operator.api.v1alpha1.BaselineSource;
import dev.modelops.operator.api.v1alpha1.BatchingSpec;
import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.GpuSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import dev.modelops.operator.config.OperatorConfig;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionPlan;
import dev.modelops.operator.history.RevisionTemplate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The baseline is fetched and checked by the pods, and makes no new revision; what the spec says
 * reaches the pods in a form they accept.
 */
class RuntimePodTemplateTest {

  static final String SHA = "a".repeat(64);
  static final String BASELINE_SHA = "b".repeat(64);

  static final OperatorConfig CONFIG = config(Optional.empty());

  static OperatorConfig config(Optional<String> gpuImage) {
    return config(gpuImage, Optional.empty());
  }

  static OperatorConfig config(Optional<String> gpuImage, Optional<String> deniedNetworks) {
    return config(gpuImage, deniedNetworks, Optional.empty());
  }

  static OperatorConfig config(
      Optional<String> gpuImage, Optional<String> deniedNetworks, Optional<String> javaOptions) {
    return new OperatorConfig() {
      @Override
      public String runtimeImage() {
        return "modelops/runtime:0.1.0";
      }

      @Override
      public Optional<String> runtimeGpuImage() {
        return gpuImage;
      }

      @Override
      public Optional<String> runtimeJavaOptions() {
        return javaOptions;
      }

      @Override
      public Optional<String> namespace() {
        return Optional.of("modelops-system");
      }

      @Override
      public int runtimePort() {
        return 8080;
      }

      @Override
      public Analysis analysis() {
        return null;
      }

      @Override
      public LeaderElection leaderElection() {
        return null;
      }

      @Override
      public Fetch fetch() {
        return () -> deniedNetworks;
      }
    };
  }

  static ModelDeployment mdep(String baselineUri) {
    ModelDeployment mdep = new ModelDeployment();
    mdep.setMetadata(new ObjectMetaBuilder().withName("m").withNamespace("ns").build());
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.model = new ModelSource();
    spec.model.uri = "http://models/mlp.onnx";
    spec.model.sha256 = SHA;
    if (baselineUri != null) {
      spec.model.baseline = new BaselineSource();
      spec.model.baseline.uri = baselineUri;
      spec.model.baseline.sha256 = BASELINE_SHA;
    }
    mdep.setSpec(spec);
    return mdep;
  }

  static Revision revision(ModelDeployment mdep) {
    RevisionTemplate t = RevisionTemplate.of(mdep);
    return new RevisionPlan(new Revision(1, t.hash(), t, "Spec", null), true, List.of())
        .withBaseline(Optional.ofNullable(mdep.getSpec().model.baseline))
        .latest();
  }

  static Map<String, String> env(PodTemplateSpec pod) {
    return pod.getSpec().getContainers().get(0).getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  /** The pod has the model's and the baseline's fetch steps, each with env as its only variable. */
  static void assertBothFetchStepsHaveOnly(PodTemplateSpec pod, EnvVar env) {
    assertThat(pod.getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly("fetch-model", "fetch-baseline");
    assertThat(pod.getSpec().getInitContainers())
        .allSatisfy(c -> assertThat(c.getEnv()).containsExactly(env));
  }

  static ModelDeployment gpu(Boolean allowCpuFallback) {
    ModelDeployment mdep = mdep(null);
    mdep.getSpec().runtime = new RuntimeSpec();
    mdep.getSpec().runtime.gpu = new GpuSpec();
    mdep.getSpec().runtime.gpu.allowCpuFallback = allowCpuFallback;
    return mdep;
  }

  @Test
  void aGpuModelIsToldToRequireTheGpuUnlessTheSpecAllowsTheCpu() {
    ModelDeployment strict = gpu(null);
    assertThat(env(RuntimePodTemplate.of(strict, revision(strict), CONFIG)))
        .containsEntry("MODELOPS_EXECUTION_PROVIDER", "cuda")
        .containsEntry("MODELOPS_REQUIRE_GPU", "true");
    ModelDeployment lenient = gpu(true);
    assertThat(env(RuntimePodTemplate.of(lenient, revision(lenient), CONFIG)))
        .containsEntry("MODELOPS_REQUIRE_GPU", "false");
    ModelDeployment cpu = mdep(null);
    assertThat(env(RuntimePodTemplate.of(cpu, revision(cpu), CONFIG)))
        .doesNotContainKeys("MODELOPS_EXECUTION_PROVIDER", "MODELOPS_REQUIRE_GPU");
  }

  @Test
  void aGpuModelRunsTheGpuImageWhenTheOperatorHasOne() {
    OperatorConfig withGpuImage = config(Optional.of("modelops/runtime-gpu:0.1.0"));
    ModelDeployment gpu = gpu(null);
    PodTemplateSpec pod = RuntimePodTemplate.of(gpu, revision(gpu), withGpuImage);
    assertThat(pod.getSpec().getContainers().get(0).getImage())
        .isEqualTo("modelops/runtime-gpu:0.1.0");
    assertThat(pod.getSpec().getInitContainers())
        .allSatisfy(c -> assertThat(c.getImage()).isEqualTo("modelops/runtime-gpu:0.1.0"));
    ModelDeployment cpu = mdep(null);
    assertThat(
            RuntimePodTemplate.of(cpu, revision(cpu), withGpuImage)
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("modelops/runtime:0.1.0");
    assertThat(
            RuntimePodTemplate.of(gpu, revision(gpu), CONFIG)
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .as("no GPU image: the runtime image")
        .isEqualTo("modelops/runtime:0.1.0");
    gpu.getSpec().runtime.image = "mine/runtime:7";
    assertThat(
            RuntimePodTemplate.of(gpu, revision(gpu), withGpuImage)
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("mine/runtime:7");
  }

  @Test
  void aBaselineIsNoPartOfTheRevisionsHash() {
    String none = RevisionTemplate.of(mdep(null)).hash();
    assertThat(RevisionTemplate.of(mdep("http://models/a.json")).hash()).isEqualTo(none);
    assertThat(RevisionTemplate.of(mdep("http://models/b.json")).hash()).isEqualTo(none);
    assertThat(RevisionTemplate.of(mdep("http://models/b.json")).toJson()).doesNotContain("b.json");
  }

  @Test
  void thePodsFetchAndCheckTheBaselineAndAreToldWhereItIs() {
    ModelDeployment mdep = mdep("http://models/mlp-baseline.json");
    mdep.getSpec().drift = new DriftSpec();
    mdep.getSpec().drift.window = 200;
    PodTemplateSpec pod = RuntimePodTemplate.of(mdep, revision(mdep), CONFIG);
    Container fetch =
        pod.getSpec().getInitContainers().stream()
            .filter(c -> c.getName().equals(RuntimePodTemplate.FETCH_BASELINE_CONTAINER))
            .findFirst()
            .orElseThrow();
    assertThat(fetch.getArgs())
        .containsExactly(
            "fetch",
            "--uri",
            "http://models/mlp-baseline.json",
            "--sha256",
            BASELINE_SHA,
            "--dest",
            "/baseline/baseline.json");
    assertThat(env(pod))
        .containsEntry("MODELOPS_BASELINE", "/baseline/baseline.json")
        .containsEntry("MODELOPS_DRIFT_WINDOW", "200");
    assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts())
        .anyMatch(
            m -> m.getMountPath().equals("/baseline") && Boolean.TRUE.equals(m.getReadOnly()));
  }

  @Test
  void withoutABaselineNothingChanges() {
    ModelDeployment mdep = mdep(null);
    PodTemplateSpec pod = RuntimePodTemplate.of(mdep, revision(mdep), CONFIG);
    assertThat(pod.getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly(RuntimePodTemplate.FETCH_CONTAINER);
    assertThat(env(pod)).doesNotContainKeys("MODELOPS_BASELINE", "MODELOPS_DRIFT_WINDOW");
  }

  @Test
  void aBaselineOnTheModelsClaimIsReadThroughItsMount() {
    ModelDeployment mdep = mdep("pvc://models/iris/baseline.json");
    mdep.getSpec().model.uri = "pvc://models/iris/model.onnx";
    PodTemplateSpec pod = RuntimePodTemplate.of(mdep, revision(mdep), CONFIG);
    Container fetch = pod.getSpec().getInitContainers().get(1);
    assertThat(fetch.getArgs()).contains("file:///model-source/iris/baseline.json");
    assertThat(pod.getSpec().getVolumes())
        .extracting(v -> v.getName())
        .doesNotContain("baseline-source");
  }

  @Test
  void aBaselineInsideTheImageIsNotFetched() {
    ModelDeployment mdep = mdep("file:///models/iris-baseline.json");
    PodTemplateSpec pod = RuntimePodTemplate.of(mdep, revision(mdep), CONFIG);
    assertThat(pod.getSpec().getInitContainers()).hasSize(1);
    assertThat(env(pod)).containsEntry("MODELOPS_BASELINE", "/models/iris-baseline.json");
  }

  @Test
  void aGoBatchingDelayReachesTheRuntimeAsAnIsoDuration() {
    ModelDeployment mdep = mdep(null);
    mdep.getSpec().runtime.batching = new BatchingSpec();
    mdep.getSpec().runtime.batching.maxDelay = "500us";
    assertThat(env(RuntimePodTemplate.of(mdep, revision(mdep), CONFIG)))
        .containsEntry("MODELOPS_BATCHING_MAX_DELAY", "PT0.0005S");
    mdep.getSpec().runtime.batching.maxDelay = "1m30s";
    assertThat(env(RuntimePodTemplate.of(mdep, revision(mdep), CONFIG)))
        .containsEntry("MODELOPS_BATCHING_MAX_DELAY", "PT1M30S");
  }

  @Test
  void theDefaultMemoryLimitIsNeverBelowTheRequest() {
    ModelDeployment mdep = mdep(null);
    assertThat(memoryLimit(mdep)).isEqualTo(new Quantity("2Gi"));
    mdep.getSpec().runtime.resources =
        new ResourceRequirementsBuilder().addToRequests("memory", new Quantity("6Gi")).build();
    assertThat(memoryLimit(mdep)).isEqualTo(new Quantity("6Gi"));
    mdep.getSpec().runtime.resources =
        new ResourceRequirementsBuilder()
            .addToRequests("memory", new Quantity("6Gi"))
            .addToLimits("memory", new Quantity("8Gi"))
            .build();
    assertThat(memoryLimit(mdep)).isEqualTo(new Quantity("8Gi"));
  }

  static Quantity memoryLimit(ModelDeployment mdep) {
    Container runtime =
        RuntimePodTemplate.of(mdep, revision(mdep), CONFIG).getSpec().getContainers().get(0);
    return runtime.getResources().getLimits().get("memory");
  }

  @Test
  void theFetchStepsGetTheAuthorizationFromTheSecretThroughTheKubelet() {
    ModelDeployment mdep = mdep("http://models/mlp-baseline.json");
    mdep.getSpec().model.authorizationSecretRef = new SecretKeySelector("token", "models", null);
    PodTemplateSpec pod = RuntimePodTemplate.of(mdep, revision(mdep), CONFIG);
    assertThat(pod.getSpec().getInitContainers())
        .hasSize(2)
        .allSatisfy(
            c ->
                assertThat(c.getEnv())
                    .singleElement()
                    .satisfies(
                        e -> {
                          assertThat(e.getName()).isEqualTo("MODELOPS_FETCH_AUTHORIZATION");
                          assertThat(e.getValue()).isNull();
                          assertThat(e.getValueFrom().getSecretKeyRef().getName())
                              .isEqualTo("models");
                          assertThat(e.getValueFrom().getSecretKeyRef().getKey())
                              .isEqualTo("token");
                        }));
    // Not in the serving container, and nothing at all without it.
    assertThat(env(pod)).doesNotContainKey("MODELOPS_FETCH_AUTHORIZATION");
    mdep.getSpec().model.authorizationSecretRef = null;
    assertThat(RuntimePodTemplate.of(mdep, revision(mdep), CONFIG).getSpec().getInitContainers())
        .allSatisfy(c -> assertThat(c.getEnv()).isNullOrEmpty());
  }

  @Test
  void theRuntimeJavaOptionsReachEveryContainerOfTheRuntimeImageAsJavaToolOptions() {
    ModelDeployment mdep = mdep("http://models/mlp-baseline.json");
    PodTemplateSpec pod =
        RuntimePodTemplate.of(
            mdep,
            revision(mdep),
            config(Optional.empty(), Optional.empty(), Optional.of(" -XX:TieredStopAtLevel=1 ")));
    // The server and both fetch steps: each is a JVM started from the runtime image.
    assertThat(env(pod)).containsEntry("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1");
    assertBothFetchStepsHaveOnly(
        pod, new EnvVar("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1", null));
    // Unset or blank: no variable, so the pods of an operator without the setting are unchanged.
    for (Optional<String> none : List.of(Optional.<String>empty(), Optional.of("  "))) {
      PodTemplateSpec plain =
          RuntimePodTemplate.of(
              mdep, revision(mdep), config(Optional.empty(), Optional.empty(), none));
      assertThat(plain).isEqualTo(RuntimePodTemplate.of(mdep, revision(mdep), CONFIG));
      assertThat(env(plain)).doesNotContainKey("JAVA_TOOL_OPTIONS");
      assertThat(plain.getSpec().getInitContainers())
          .allSatisfy(c -> assertThat(c.getEnv()).isNullOrEmpty());
    }
  }

  @Test
  void theFetchStepsDenyTheNetworksTheOperatorAddsBesidesTheLinkLocalOnes() {
    ModelDeployment mdep = mdep("http://models/mlp-baseline.json");
    OperatorConfig denying =
        config(
            Optional.empty(), Optional.of(" 10.96.0.0/12, 10.244.0.0/16,,fd00::/8,169.254.0.0/16"));
    PodTemplateSpec pod = RuntimePodTemplate.of(mdep, revision(mdep), denying);
    // Both fetch steps, the model's and the baseline's; the link-local ones first and once.
    assertBothFetchStepsHaveOnly(
        pod,
        new EnvVar(
            "MODELOPS_FETCH_DENIED_NETWORKS",
            "169.254.0.0/16,fe80::/10,10.96.0.0/12,10.244.0.0/16,fd00::/8",
            null));
    // The serving container downloads nothing.
    assertThat(env(pod)).doesNotContainKey("MODELOPS_FETCH_DENIED_NETWORKS");
    // Nothing added: no variable, so the pods of an operator without the setting are unchanged.
    assertThat(RuntimePodTemplate.of(mdep, revision(mdep), CONFIG).getSpec().getInitContainers())
        .allSatisfy(c -> assertThat(c.getEnv()).isNullOrEmpty());
    assertThat(
            RuntimePodTemplate.of(
                    mdep, revision(mdep), config(Optional.empty(), Optional.of(" , ")))
                .getSpec()
                .getInitContainers())
        .allSatisfy(c -> assertThat(c.getEnv()).isNullOrEmpty());
  }

  @Test
  void aUriIsShownWithoutUserInfoOrQuery() {
    assertThat(ModelLocation.redacted("https://bob:pw@models.example/m.onnx?X-Amz-Signature=abc"))
        .isEqualTo("https://***@models.example/m.onnx?***");
    assertThat(ModelLocation.redacted("https://models.example/m.onnx#t=1"))
        .isEqualTo("https://models.example/m.onnx");
    assertThat(ModelLocation.redacted("pvc://models/iris/model.onnx"))
        .isEqualTo("pvc://models/iris/model.onnx");
    // Parse errors quote the URI redacted, and only the parser's reason.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ModelLocation.parse("https://bob:pw@models.example/a b.onnx?sig=tok3n"))
        .hasMessageContaining("spec.model.uri is not a valid URI (Illegal character in path)")
        .hasMessageContaining("https://***@models.example/a b.onnx?***")
        .hasMessageNotContaining("tok3n")
        .hasMessageNotContaining("pw@");
  }

  @Test
  void theModelsVolumeIsBoundedLikeItsDownloadAndThePodAsksForDisk() {
    ModelDeployment mdep = mdep("http://models/mlp-baseline.json");
    PodTemplateSpec pod = RuntimePodTemplate.of(mdep, revision(mdep), CONFIG);
    assertThat(volume(pod, "model").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("8Gi"));
    assertThat(pod.getSpec().getInitContainers())
        .as("the fetch steps keep the runtime's own default, 8 GiB")
        .allSatisfy(c -> assertThat(c.getEnv()).isNullOrEmpty());
    assertThat(runtimeRequests(pod)).containsEntry("ephemeral-storage", new Quantity("1Gi"));

    mdep.getSpec().model.maxSize = new Quantity("20Gi");
    mdep.getSpec().runtime.resources =
        new ResourceRequirementsBuilder()
            .addToRequests("ephemeral-storage", new Quantity("30Gi"))
            .build();
    pod = RuntimePodTemplate.of(mdep, revision(mdep), CONFIG);
    assertThat(volume(pod, "model").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("20Gi"));
    assertThat(pod.getSpec().getInitContainers())
        .hasSize(2)
        .allSatisfy(
            c ->
                assertThat(c.getEnv())
                    .containsExactly(
                        new EnvVar("MODELOPS_FETCH_MAX_BYTES", Long.toString(20L << 30), null)));
    assertThat(runtimeRequests(pod)).containsEntry("ephemeral-storage", new Quantity("30Gi"));
    assertThat(RevisionTemplate.of(mdep).hash())
        .as("a bound of its own is part of the revision")
        .isNotEqualTo(RevisionTemplate.of(mdep(null)).hash());
  }

  static io.fabric8.kubernetes.api.model.Volume volume(PodTemplateSpec pod, String name) {
    return pod.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  static Map<String, Quantity> runtimeRequests(PodTemplateSpec pod) {
    return pod.getSpec().getContainers().get(0).getResources().getRequests();
  }

  @Test
  void theRuntimeGetsItsTokenFromTheSecretThroughTheKubeletWhateverTheRevision() {
    ModelDeployment before = mdep(null);
    ModelDeployment mdep = mdep(null);
    mdep.getSpec().runtime = new RuntimeSpec();
    mdep.getSpec().runtime.auth = new AuthSpec();
    mdep.getSpec().runtime.auth.tokenSecretRef = new SecretKeySelector("token", "iris-auth", null);
    // No new revision: a revision made before auth was set is served with it all the same, so a
    // rollback to it never opens the endpoint.
    assertThat(RevisionTemplate.of(mdep).hash()).isEqualTo(RevisionTemplate.of(before).hash());
    PodTemplateSpec pod = RuntimePodTemplate.of(mdep, revision(before), CONFIG);
    List<EnvVar> env = pod.getSpec().getContainers().get(0).getEnv();
    assertThat(env)
        .filteredOn(e -> e.getName().startsWith("MODELOPS_AUTH"))
        .containsExactly(
            new EnvVarBuilder()
                .withName("MODELOPS_AUTH_TOKEN")
                .withNewValueFrom()
                .withNewSecretKeyRef("token", "iris-auth", null)
                .endValueFrom()
                .build(),
            new EnvVar("MODELOPS_AUTH_REQUIRED", "true", null));
    // The fetch steps do not get it; and without auth, no container does.
    assertThat(pod.getSpec().getInitContainers())
        .allSatisfy(c -> assertThat(c.getEnv()).isNullOrEmpty());
    assertThat(RuntimePodTemplate.of(before, revision(before), CONFIG).getSpec().getContainers())
        .allSatisfy(
            c -> assertThat(c.getEnv()).noneMatch(e -> e.getName().startsWith("MODELOPS_AUTH")));
  }
}
