package dev.modelops.e2e.sandbox;

import java.nio.file.Path;
import java.util.List;

/**
 * The runtime's and the operator's images, built offline by build_image.py from the jars the same
 * build packaged (e2e/sandbox/app-images.sh, which skips images newer than their jars), for loading
 * into the real node's containerd.
 */
public final class AppImages {

  private static List<Path> built;
  private static Path trainer;

  private AppImages() {}

  /** The runtime image (docker.io/modelops/runtime:0.1.0) as an OCI layout. */
  public static Path runtime() {
    return build().get(0);
  }

  /** The operator image (docker.io/modelops/operator:0.1.0) as an OCI layout. */
  public static Path operator() {
    return build().get(1);
  }

  /**
   * The example trainer's image (docker.io/modelops/trainer:0.1.0) as an OCI layout, built by
   * e2e/sandbox/trainer-image.sh when older than its sources; only clusters that run it load it.
   */
  public static synchronized Path trainer() {
    if (trainer == null) {
      ScriptRun run =
          ScriptRun.run(List.of(SandboxCluster.script("trainer-image.sh").toString()), List.of());
      if (run.exitCode() != 0) {
        throw new IllegalStateException("building the trainer image failed:\n" + run.stderr());
      }
      trainer = Path.of(run.stdout().strip());
    }
    return trainer;
  }

  private static synchronized List<Path> build() {
    if (built == null) {
      PackagedApp.jar("runtime-image");
      PackagedApp.jar("operator");
      ScriptRun run =
          ScriptRun.run(List.of(SandboxCluster.script("app-images.sh").toString()), List.of());
      if (run.exitCode() != 0) {
        throw new IllegalStateException("building the images failed:\n" + run.stderr());
      }
      built = run.stdout().lines().map(Path::of).toList();
    }
    return built;
  }
}
