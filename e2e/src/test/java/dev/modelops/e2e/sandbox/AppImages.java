package dev.modelops.e2e.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime's and the operator's images, built offline by build_image.py from the jars the same
 * build packaged, once per test run, for loading into the real node's containerd.
 */
public final class AppImages {

  private static final Map<String, Path> BUILT = new HashMap<>();

  private AppImages() {}

  /** The runtime image (docker.io/modelops/runtime:0.1.0) as an OCI layout. */
  public static Path runtime() {
    return build("runtime");
  }

  /** The operator image (docker.io/modelops/operator:0.1.0) as an OCI layout. */
  public static Path operator() {
    return build("operator");
  }

  private static synchronized Path build(String kind) {
    return BUILT.computeIfAbsent(
        kind,
        k -> {
          Path out = SandboxCluster.workDir().resolveSibling("app-images").resolve(k);
          ScriptRun run =
              ScriptRun.run(
                  List.of(
                      "python3",
                      SandboxCluster.repo()
                          .resolve("runtime-image/image/build_image.py")
                          .toString(),
                      "--kind",
                      k,
                      "--java-home",
                      System.getProperty("java.home"),
                      "--out",
                      out.toString()),
                  List.of());
          Path oci = out.resolve("oci");
          if (run.exitCode() != 0 || !Files.exists(oci.resolve("index.json"))) {
            throw new IllegalStateException(
                "building the " + k + " image failed:\n" + run.stderr());
          }
          return oci;
        });
  }
}
