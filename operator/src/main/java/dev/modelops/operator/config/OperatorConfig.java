package dev.modelops.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/**
 * The operator's own settings: modelops.operator.* in application.properties, or env
 * MODELOPS_OPERATOR_*. The Helm chart sets them from its values.
 */
@ConfigMapping(prefix = "modelops.operator")
public interface OperatorConfig {

  /** Runtime image of ModelDeployments that set no spec.runtime.image. */
  @WithDefault("modelops/runtime:0.1.0")
  String runtimeImage();

  /**
   * Runtime image of GPU ModelDeployments (spec.runtime.gpu set) that set no spec.runtime.image: a
   * build with ONNX Runtime's CUDA provider (runtime-image/Dockerfile.gpu). Unset: runtimeImage.
   */
  Optional<String> runtimeGpuImage();

  /**
   * JVM options for every container the operator runs from the runtime image (the server and its
   * fetch steps), given to them as JAVA_TOOL_OPTIONS, which the JVM reads after the image's own
   * options: for example -XX:TieredStopAtLevel=1, which compiles with C1 only and costs less CPU in
   * a pod that lives minutes at a low request rate. Unset or blank: the image's options alone.
   * Changing it changes every ModelDeployment's pod template, so their pods are replaced.
   */
  Optional<String> runtimeJavaOptions();

  /** Port of the runtime's V2 REST endpoint. */
  @WithDefault("8080")
  int runtimePort();

  /**
   * The operator's own namespace (the chart passes it). The runtime pods' NetworkPolicies let pods
   * of this namespace in: the operator reads the pods' metrics and drift by pod IP. Unset (an
   * operator run outside the cluster): no such peer.
   */
  Optional<String> namespace();

  /** Defaults of canary analysis. */
  Analysis analysis();

  /** Leader election, for more than one operator pod. */
  LeaderElection leaderElection();

  /** The runtime pods' fetch steps, which download models and baselines. */
  Fetch fetch();

  /** Where the fetch steps may download from. */
  interface Fetch {

    /**
     * Networks (CIDRs separated by commas) the fetch steps never download from, besides the
     * link-local ones they always refuse: for example the cluster's Service and pod ranges, so a
     * model URI cannot reach the cluster's own services. Checked when the operator starts.
     */
    Optional<String> deniedNetworks();
  }

  /** Where canary analysis reads metrics when a ModelDeployment does not say. */
  interface Analysis {

    /** pods or prometheus: the source of ModelDeployments that set no analysis.source. */
    @WithDefault("pods")
    AnalysisSource defaultSource();

    /** The Prometheus server of source prometheus when a ModelDeployment names none. */
    Optional<String> prometheusUrl();
  }

  /** The metric sources canary analysis knows. */
  enum AnalysisSource {
    pods,
    prometheus
  }

  /** One Lease decides which operator pod reconciles. */
  interface LeaderElection {

    /** Off for a single operator pod; the chart turns it on for more than one. */
    @WithDefault("false")
    boolean enabled();

    /** Name of the Lease. */
    @WithDefault("modelops-operator-lock")
    String leaseName();

    /** Namespace of the Lease: the operator's own (the chart passes it). */
    Optional<String> leaseNamespace();

    /**
     * Who holds the Lease: the pod's name (the chart passes it), so kubectl shows which pod leads.
     */
    Optional<String> identity();
  }
}
