package dev.modelops.e2e.helm;

import dev.modelops.e2e.operator.OperatorProcess;
import dev.modelops.e2e.sandbox.AppImages;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The sandbox's helm binary, run on the project's chart. */
public final class Helm {

  static final Path CHART = SandboxCluster.repo().resolve("helm/modelops-operator");
  static final String KUBE_VERSION = "1.34.4";

  private Helm() {}

  /** Runs helm with these arguments; with a kubeconfig when one is given. */
  static ScriptRun run(Path kubeconfig, String... args) {
    List<String> command = new ArrayList<>();
    command.add(SandboxCluster.binDir().resolve("helm").toString());
    command.addAll(Arrays.asList(args));
    if (kubeconfig != null) {
      command.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    }
    // Keep helm's cache and config away from the user's home.
    Path home = SandboxCluster.repo().resolve("e2e/target/helm-home");
    return ScriptRun.run(
        command,
        List.of(
            "HELM_CACHE_HOME=" + home.resolve("cache"),
            "HELM_CONFIG_HOME=" + home.resolve("config"),
            "HELM_DATA_HOME=" + home.resolve("data")));
  }

  /**
   * The JVM option of the tests (OperatorProcess.C1_ONLY) for the operator pod, through the chart's
   * operator.extraEnv, and for the runtime pods it makes, through operator.runtimeJavaOptions.
   */
  static final String[] C1_ONLY = {
    "operator.extraEnv[0].name=JAVA_TOOL_OPTIONS",
    "operator.extraEnv[0].value=" + OperatorProcess.C1_ONLY,
    "operator.runtimeJavaOptions=" + OperatorProcess.C1_ONLY
  };

  /**
   * A sandbox cluster whose only node is real (no kwok nodes), with the runtime's and the
   * operator's images loaded and the chart installed: the operator runs as the chart's pod.
   */
  public static SandboxCluster clusterWithOperatorPod(String name, String... options) {
    List<String> all = new ArrayList<>(List.of("--cpu-nodes", "0", "--gpu-nodes", "0"));
    all.addAll(Arrays.asList(options));
    SandboxCluster cluster =
        SandboxCluster.startWithRealNode(
            name, List.of(AppImages.runtime(), AppImages.operator()), all);
    ScriptRun install = install(cluster.kubeconfig(), "3m", C1_ONLY);
    if (install.exitCode() != 0) {
      cluster.close();
      throw new IllegalStateException(
          "helm install failed:\n" + install.stdout() + install.stderr());
    }
    return cluster;
  }

  /**
   * `helm upgrade --install` of the chart as release modelops-operator in modelops-system, waiting
   * up to timeout for the operator to be ready, with --set arguments; a failure is returned.
   */
  public static ScriptRun install(Path kubeconfig, String timeout, String... sets) {
    return upgradeInstall(kubeconfig, List.of("--wait", "--timeout", timeout), sets);
  }

  /**
   * `helm upgrade --install` of the chart as release modelops-operator in modelops-system, not
   * waiting for the operator: for a control-plane-only cluster, where no pod ever runs.
   */
  static ScriptRun installWithoutWaiting(Path kubeconfig, String... sets) {
    return upgradeInstall(kubeconfig, List.of(), sets);
  }

  private static ScriptRun upgradeInstall(Path kubeconfig, List<String> options, String... sets) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "upgrade",
                "--install",
                "modelops-operator",
                CHART.toString(),
                "--namespace",
                "modelops-system",
                "--create-namespace"));
    args.addAll(options);
    return run(kubeconfig, withSets(args, sets));
  }

  /** `helm template` of the chart with --set arguments; a failure is returned, not thrown. */
  static ScriptRun template(String... sets) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "template",
                "modelops-operator",
                CHART.toString(),
                "--namespace",
                "modelops-system",
                "--kube-version",
                KUBE_VERSION));
    return run(null, withSets(args, sets));
  }

  private static String[] withSets(List<String> args, String... sets) {
    for (String set : sets) {
      args.addAll(List.of("--set", set));
    }
    return args.toArray(String[]::new);
  }

  /** The objects `helm template` renders with these --set arguments. */
  static List<HasMetadata> render(String... sets) {
    ScriptRun run = template(sets);
    if (run.exitCode() != 0) {
      throw new IllegalStateException("helm template failed: " + run.stderr());
    }
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : run.stdout().split("(?m)^---\\s*$")) {
      if (doc.lines().anyMatch(l -> l.startsWith("kind:"))) {
        objects.add(Serialization.unmarshal(doc));
      }
    }
    return objects;
  }
}
