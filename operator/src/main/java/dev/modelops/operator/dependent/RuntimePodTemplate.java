package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.GpuSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import dev.modelops.operator.config.FetchDeniedNetworks;
import dev.modelops.operator.config.OperatorConfig;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.rollout.GoDuration;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The pod template of one revision: a pure function of the spec, the revision and the config. */
public final class RuntimePodTemplate {

  public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
  public static final String RUNTIME_CONTAINER = "runtime";
  public static final String FETCH_CONTAINER = "fetch-model";
  public static final String FETCH_BASELINE_CONTAINER = "fetch-baseline";
  static final String BASELINE_DIR = "/baseline";
  static final String BASELINE_FILE = BASELINE_DIR + "/baseline.json";
  static final String BASELINE_PVC_MOUNT = "/baseline-source";
  static final long RUNTIME_UID = 10001L;

  private RuntimePodTemplate() {}

  /** The fetch step's HTTP Authorization header value (the runtime's ModelFetcher reads it). */
  static final String AUTHORIZATION_ENV = "MODELOPS_FETCH_AUTHORIZATION";

  /** The largest file the fetch step downloads, in bytes (the runtime's ModelFetcher reads it). */
  static final String MAX_BYTES_ENV = "MODELOPS_FETCH_MAX_BYTES";

  /** The runtime's own bound when spec.model.maxSize is not set. */
  static final Quantity DEFAULT_MAX_MODEL_SIZE = new Quantity("8Gi");

  /**
   * The runtime container's ephemeral-storage request unless spec.runtime.resources sets one: room
   * for a model of a few hundred MiB, its logs and /tmp.
   */
  static final Quantity DEFAULT_EPHEMERAL_STORAGE = new Quantity("1Gi");

  /** The JVM's own variable of extra options, read after the image's command line. */
  static final String JAVA_OPTIONS_ENV = "JAVA_TOOL_OPTIONS";

  /** The runtime's bearer token (BearerAuth reads it). */
  static final String AUTH_TOKEN_ENV = "MODELOPS_AUTH_TOKEN";

  /** Seconds a stopping pod keeps serving while its endpoint is removed everywhere. */
  static final long PRE_STOP_SECONDS = 5;

  /** The pre-stop pause, the runtime's drain of in-flight requests (30 s at most), and slack. */
  static final long TERMINATION_GRACE_SECONDS = 45;

  public static PodTemplateSpec of(ModelDeployment mdep, Revision revision, OperatorConfig config) {
    RuntimeSpec runtime = revision.template().runtime();
    var model = revision.template().model();
    ModelLocation location = ModelLocation.parse(model.uri);
    String image = image(runtime, config);

    List<Volume> volumes = new ArrayList<>();
    // The fetched model's volume, only when there is one to fetch: mounted over /models it would
    // hide a model shipped inside the image (file:// URIs).
    if (location.needsFetch()) {
      // Bounded like the download: a file past it fails the fetch, and the kubelet evicts a pod
      // whose volume grows past it anyway.
      volumes.add(
          new VolumeBuilder()
              .withName("model")
              .withNewEmptyDir()
              .withSizeLimit(maxModelSize(model))
              .endEmptyDir()
              .build());
    }
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    location
        .claim()
        .ifPresent(
            claim ->
                volumes.add(
                    new VolumeBuilder()
                        .withName("model-source")
                        .withNewPersistentVolumeClaim(claim, true)
                        .build()));

    Optional<ModelLocation> baseline =
        revision
            .baseline()
            .map(b -> ModelLocation.parse("spec.model.baseline.uri", b.uri, BASELINE_PVC_MOUNT));
    baseline
        .filter(ModelLocation::needsFetch)
        .ifPresent(
            b -> {
              volumes.add(
                  new VolumeBuilder().withName("baseline").withNewEmptyDir().endEmptyDir().build());
              b.claim()
                  .filter(c -> !location.claim().equals(Optional.of(c)))
                  .ifPresent(
                      claim ->
                          volumes.add(
                              new VolumeBuilder()
                                  .withName("baseline-source")
                                  .withNewPersistentVolumeClaim(claim, true)
                                  .build()));
            });

    List<Container> init = new ArrayList<>();
    if (location.needsFetch()) {
      List<String> args = new ArrayList<>(List.of("fetch", "--uri", location.fetchUri()));
      if (model.sha256 != null) {
        args.addAll(List.of("--sha256", model.sha256));
      }
      args.addAll(List.of("--dest", ModelLocation.MODEL_FILE));
      List<VolumeMount> mounts = new ArrayList<>();
      mounts.add(mount("model", ModelLocation.MODELS_DIR, false));
      mounts.add(mount("tmp", "/tmp", false));
      location
          .claim()
          .ifPresent(c -> mounts.add(mount("model-source", ModelLocation.PVC_MOUNT, true)));
      init.add(fetchContainer(FETCH_CONTAINER, image, args, mounts));
    }

    baseline
        .filter(ModelLocation::needsFetch)
        .ifPresent(
            b ->
                init.add(
                    fetchBaseline(
                        image, b, revision.baseline().orElseThrow().sha256, location.claim())));

    if (model.maxSize != null) {
      EnvVar maxBytes =
          new EnvVar(
              MAX_BYTES_ENV,
              Quantity.getAmountInBytes(model.maxSize).toBigInteger().toString(),
              null);
      addToEach(init, maxBytes);
    }
    // Networks the operator is told to deny besides the link-local ones (which the value keeps):
    // without any, the fetch steps keep their own default and the template stays as it was.
    FetchDeniedNetworks.envValue(config.fetch())
        .ifPresent(
            networks -> addToEach(init, new EnvVar(FetchDeniedNetworks.ENV, networks, null)));
    // The kubelet resolves the Secret into the fetch steps' environment: the operator never reads
    // it, and the pod spec names the Secret, not the token.
    if (model.authorizationSecretRef != null) {
      EnvVar authorization = fromSecret(AUTHORIZATION_ENV, model.authorizationSecretRef);
      addToEach(init, authorization);
    }

    Optional<EnvVar> javaOptions = javaOptions(config);
    javaOptions.ifPresent(options -> addToEach(init, options));

    List<VolumeMount> serverMounts = new ArrayList<>();
    if (location.needsFetch()) {
      serverMounts.add(mount("model", ModelLocation.MODELS_DIR, true));
    }
    if (baseline.map(ModelLocation::needsFetch).orElse(false)) {
      serverMounts.add(mount("baseline", BASELINE_DIR, true));
    }
    serverMounts.add(mount("tmp", "/tmp", false));
    int port = config.runtimePort();
    Container server =
        new ContainerBuilder()
            .withName(RUNTIME_CONTAINER)
            .withImage(image)
            .withArgs("serve")
            .withEnv(env(mdep, revision, location, baseline, port))
            .addAllToEnv(javaOptions.stream().toList())
            .addNewPort()
            .withName("http")
            .withContainerPort(port)
            .withProtocol("TCP")
            .endPort()
            .withVolumeMounts(serverMounts)
            .withResources(resources(runtime))
            // Asked every second while the model loads (up to 5 minutes): a pod counts as started,
            // and takes traffic, within a second of being able to, which every rollout step waits
            // for. Each answer is a constant from the event loop.
            .withStartupProbe(probe("/v2/health/live", port, 1, 300))
            .withLivenessProbe(probe("/v2/health/live", port, 10, 3))
            .withReadinessProbe(probe("/v2/health/ready", port, 2, 3))
            .withSecurityContext(hardened())
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            // Leaving the endpoints takes kube-proxy a moment: the pod keeps serving meanwhile,
            // then the runtime drains what is in flight on SIGTERM.
            .withNewLifecycle()
            .withNewPreStop()
            .withNewSleep(PRE_STOP_SECONDS)
            .endPreStop()
            .endLifecycle()
            .build();

    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(Labels.revision(mdep, revision.number()))
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
        .withEnableServiceLinks(false)
        .withInitContainers(init)
        .withContainers(server)
        .withVolumes(volumes)
        .withNodeSelector(nodeSelector(runtime))
        .withTolerations(tolerations(runtime))
        .withAffinity(runtime.affinity)
        .withRuntimeClassName(runtime.runtimeClassName)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUNTIME_UID)
        .withRunAsGroup(RUNTIME_UID)
        .withFsGroup(RUNTIME_UID)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .endSpec()
        .build();
  }

  /**
   * The init step that fetches the drift baseline and checks its digest, as the model's does; a
   * baseline on the model's own claim is read through the model's mount.
   */
  private static Container fetchBaseline(
      String image, ModelLocation b, String sha256, Optional<String> modelClaim) {
    boolean onModelClaim = b.claim().isPresent() && b.claim().equals(modelClaim);
    String uri =
        onModelClaim
            ? b.fetchUri()
                .replaceFirst("^file://" + BASELINE_PVC_MOUNT, "file://" + ModelLocation.PVC_MOUNT)
            : b.fetchUri();
    List<String> args = new ArrayList<>(List.of("fetch", "--uri", uri));
    if (sha256 != null) {
      args.addAll(List.of("--sha256", sha256));
    }
    args.addAll(List.of("--dest", BASELINE_FILE));
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(mount("baseline", BASELINE_DIR, false));
    mounts.add(mount("tmp", "/tmp", false));
    if (onModelClaim) {
      mounts.add(mount("model-source", ModelLocation.PVC_MOUNT, true));
    } else if (b.claim().isPresent()) {
      mounts.add(mount("baseline-source", BASELINE_PVC_MOUNT, true));
    }
    return fetchContainer(FETCH_BASELINE_CONTAINER, image, args, mounts);
  }

  /** An init step of the runtime image's fetch command: downloads, checks and exits. */
  private static Container fetchContainer(
      String name, String image, List<String> args, List<VolumeMount> mounts) {
    return new ContainerBuilder()
        .withName(name)
        .withImage(image)
        .withArgs(args)
        .withVolumeMounts(mounts)
        .withSecurityContext(hardened())
        .withResources(
            new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")))
                .withLimits(Map.of("memory", new Quantity("512Mi")))
                .build())
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .build();
  }

  private static List<EnvVar> env(
      ModelDeployment mdep,
      Revision revision,
      ModelLocation location,
      Optional<ModelLocation> baseline,
      int port) {
    var model = revision.template().model();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MODELOPS_MODEL_NAME", Labels.modelName(mdep, revision));
    env.put("MODELOPS_MODEL_VERSION", model.version == null ? "" : model.version);
    env.put("MODELOPS_MODEL_PATH", location.servedPath());
    if (model.sha256 != null) {
      env.put("MODELOPS_MODEL_SHA256", model.sha256);
    }
    env.put("MODELOPS_REVISION", Integer.toString(revision.number()));
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    var batching = revision.template().runtime().batching;
    if (batching != null && batching.maxBatchSize != null) {
      env.put("MODELOPS_BATCHING_MAX_BATCH_SIZE", batching.maxBatchSize.toString());
    }
    if (batching != null && batching.maxDelay != null) {
      // The runtime reads ISO-8601 durations; a Go duration such as 500us or 1m30s is not one.
      env.put("MODELOPS_BATCHING_MAX_DELAY", GoDuration.parse(batching.maxDelay).toString());
    }
    var gpu = revision.template().runtime().gpu;
    if (gpu != null) {
      env.put("MODELOPS_EXECUTION_PROVIDER", "cuda");
      // The runtime exits rather than serve a GPU model on the CPU, unless the spec allows it.
      env.put("MODELOPS_REQUIRE_GPU", Boolean.toString(!Boolean.TRUE.equals(gpu.allowCpuFallback)));
    }
    baseline.ifPresent(
        b -> env.put("MODELOPS_BASELINE", b.needsFetch() ? BASELINE_FILE : b.servedPath()));
    if (baseline.isPresent()
        && mdep.getSpec().drift != null
        && mdep.getSpec().drift.window != null) {
      env.put("MODELOPS_DRIFT_WINDOW", mdep.getSpec().drift.window.toString());
    }
    List<EnvVar> vars =
        new ArrayList<>(
            env.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList());
    // The ModelDeployment's current setting, whatever the revision: a rollback to a revision made
    // before it must not serve without the token. Required, so an empty Secret value stops the
    // runtime instead of leaving it open.
    var runtime = mdep.getSpec().runtime;
    if (runtime != null && runtime.auth != null && runtime.auth.tokenSecretRef != null) {
      vars.add(fromSecret(AUTH_TOKEN_ENV, runtime.auth.tokenSecretRef));
      vars.add(new EnvVar("MODELOPS_AUTH_REQUIRED", "true", null));
    }
    return vars;
  }

  /** The operator's runtimeJavaOptions as the JVM's JAVA_TOOL_OPTIONS; none when unset or blank. */
  private static Optional<EnvVar> javaOptions(OperatorConfig config) {
    return config
        .runtimeJavaOptions()
        .map(String::strip)
        .filter(o -> !o.isEmpty())
        .map(o -> new EnvVar(JAVA_OPTIONS_ENV, o, null));
  }

  /** Each of the fetch steps with var added to its environment. */
  private static void addToEach(List<Container> init, EnvVar var) {
    init.replaceAll(c -> new ContainerBuilder(c).addToEnv(var).build());
  }

  /**
   * An env var the kubelet sets from a Secret's key: the operator never reads the Secret, and the
   * pod spec names it, not its value.
   */
  private static EnvVar fromSecret(String name, SecretKeySelector key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withSecretKeyRef(key)
        .endValueFrom()
        .build();
  }

  /**
   * spec.runtime.image, else the operator's GPU runtime image for a GPU ModelDeployment (when the
   * operator has one), else its runtime image.
   */
  static String image(RuntimeSpec runtime, OperatorConfig config) {
    if (runtime.image != null) {
      return runtime.image;
    }
    return runtime.gpu != null
        ? config.runtimeGpuImage().filter(i -> !i.isBlank()).orElse(config.runtimeImage())
        : config.runtimeImage();
  }

  /** The largest model file, spec.model.maxSize or the runtime's own default (8 GiB). */
  static Quantity maxModelSize(ModelSource model) {
    return model.maxSize != null ? model.maxSize : DEFAULT_MAX_MODEL_SIZE;
  }

  static ResourceRequirements resources(RuntimeSpec runtime) {
    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    if (runtime.resources != null) {
      if (runtime.resources.getRequests() != null) {
        requests.putAll(runtime.resources.getRequests());
      }
      if (runtime.resources.getLimits() != null) {
        limits.putAll(runtime.resources.getLimits());
      }
    }
    requests.putIfAbsent("cpu", new Quantity("500m"));
    requests.putIfAbsent("memory", new Quantity("512Mi"));
    // The pod writes the model, logs and /tmp to the node's disk: the scheduler counts them.
    requests.putIfAbsent("ephemeral-storage", DEFAULT_EPHEMERAL_STORAGE);
    // The default limit never sits below the request: the pod would be refused.
    Quantity memoryLimit = new Quantity("2Gi");
    Quantity memoryRequest = requests.get("memory");
    if (Quantity.getAmountInBytes(memoryRequest).compareTo(Quantity.getAmountInBytes(memoryLimit))
        > 0) {
      memoryLimit = memoryRequest;
    }
    limits.putIfAbsent("memory", memoryLimit);
    GpuSpec gpu = runtime.gpu;
    if (gpu != null) {
      limits.put(gpu.resourceName, new Quantity(Integer.toString(gpu.count)));
    }
    return new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();
  }

  static Map<String, String> nodeSelector(RuntimeSpec runtime) {
    Map<String, String> selector = new LinkedHashMap<>();
    if (runtime.nodeSelector != null) {
      selector.putAll(runtime.nodeSelector);
    }
    if (runtime.gpu != null && runtime.gpu.product != null && !runtime.gpu.product.isBlank()) {
      selector.put(GPU_PRODUCT_LABEL, runtime.gpu.product);
    }
    return selector.isEmpty() ? null : selector;
  }

  static List<Toleration> tolerations(RuntimeSpec runtime) {
    List<Toleration> tolerations = new ArrayList<>();
    if (runtime.tolerations != null) {
      tolerations.addAll(runtime.tolerations);
    }
    if (runtime.gpu != null) {
      Toleration gpuTaint =
          new TolerationBuilder()
              .withKey(
                  runtime.gpu.resourceName.startsWith("nvidia.com/")
                      ? "nvidia.com/gpu"
                      : runtime.gpu.resourceName)
              .withOperator("Exists")
              .withEffect("NoSchedule")
              .build();
      if (tolerations.stream().noneMatch(t -> gpuTaint.getKey().equals(t.getKey()))) {
        tolerations.add(gpuTaint);
      }
    }
    return tolerations.isEmpty() ? null : tolerations;
  }

  private static SecurityContext hardened() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    VolumeMount mount = new VolumeMount();
    mount.setName(name);
    mount.setMountPath(path);
    mount.setReadOnly(readOnly ? true : null);
    return mount;
  }

  private static Probe probe(String path, int port, int period, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withNewPort(port)
        .endHttpGet()
        .withPeriodSeconds(period)
        .withFailureThreshold(failureThreshold)
        .withTimeoutSeconds(2)
        .build();
  }
}
