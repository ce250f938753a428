package dev.modelops.e2e.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command plays every scene and cleans up after itself. */
class DemoTest {

  @TempDir Path temp;

  @Test
  void demoShowsTheGpuNodesAndRemovesItsCluster() {
    Path dir = temp.resolve("demo");
    ScriptRun run =
        ScriptRun.run(
            List.of(SandboxCluster.repo().resolve("demo.sh").toString(), "--no-wait"),
            List.of("DEMO_DIR=" + dir));

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    assertThat(run.stdout())
        .containsPattern("sandbox-gpu-1\\s+64\\s+2\\s+nvidia.com/gpu")
        .containsPattern("sandbox-cpu-1\\s+16\\s+<none>")
        .contains("NVIDIA-H100-80GB-HBM3")
        .contains("kubectl get pods -A -o wide");
    assertThat(run.stderr()).contains("stopped and removed " + dir);
    assertThat(dir).doesNotExist();
  }
}
