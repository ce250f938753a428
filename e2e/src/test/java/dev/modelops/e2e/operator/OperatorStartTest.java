package dev.modelops.e2e.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.e2e.sandbox.PackagedApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged operator refuses to start on a setting it cannot use, saying which, before it talks
 * to any cluster (none is given: its kubeconfig does not exist).
 */
class OperatorStartTest {

  @Test
  void aDeniedNetworkThatIsNoCidrStopsTheStartNamingIt(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("operator.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-jar",
                    PackagedApp.jar("operator").toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("KUBECONFIG", dir.resolve("no-kubeconfig").toString());
    builder.environment().put("QUARKUS_HTTP_PORT", "0");
    builder
        .environment()
        .put("MODELOPS_OPERATOR_FETCH_DENIED_NETWORKS", "10.96.0.0/12, 10.244.0/16");
    Process operator = builder.start();
    try {
      assertThat(operator.waitFor(90, TimeUnit.SECONDS))
          .as("the operator exits by itself (log: %s)", read(log))
          .isTrue();
      assertThat(operator.exitValue()).isEqualTo(1);
      assertThat(read(log))
          .contains(
              "modelops.operator.fetch.denied-networks (Helm value operator.fetch.deniedNetworks):"
                  + " '10.244.0/16' is no network in CIDR notation");
    } finally {
      operator.destroyForcibly();
    }
  }

  static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
