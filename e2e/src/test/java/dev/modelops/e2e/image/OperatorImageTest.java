package dev.modelops.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.sandbox.AppImages;
import dev.modelops.e2e.sandbox.SandboxCluster;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator image, built offline like the runtime's, runs its entrypoint in a chroot as its
 * non-root user against a sandbox API server: it becomes ready and serves a ModelDeployment.
 */
class OperatorImageTest {

  @TempDir Path temp;

  @Test
  void imageIsValidAndReconcilesAsItsUser() throws Exception {
    OciImage image = OciImage.unpack(AppImages.operator(), temp);
    JsonNode config = image.config();
    assertThat(config.at("/config/User").asText()).isEqualTo("10001:10001");
    assertThat(config.at("/config/Labels/org.opencontainers.image.title").asText())
        .isEqualTo("modelops-operator");
    assertThat(image.rootfs().resolve("models")).doesNotExist();

    try (SandboxCluster cluster = SandboxCluster.startControlPlaneOnly("operator-image")) {
      ModelDeployments mdeps = new ModelDeployments(cluster.client());
      mdeps.installCrd();
      // As a pod would have its credentials mounted: the kubeconfig inside the container's /tmp.
      Path kubeconfig = image.rootfs().resolve("tmp/kubeconfig");
      Files.copy(cluster.kubeconfig(), kubeconfig);
      // The sandbox's kubeconfig is the admin's (mode 600); the container's user must read it.
      Files.setPosixFilePermissions(
          kubeconfig, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path log = temp.resolve("container.log");
      ProcessBuilder container =
          new ProcessBuilder(image.command())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      container.environment().clear();
      container.environment().put("LD_LIBRARY_PATH", OciImage.LIBRARY_PATH.split("=")[1]);
      container.environment().put("KUBECONFIG", "/tmp/kubeconfig");
      container.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
      Process operator = container.start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        await("ready (log: " + log + ")")
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(300))
            .until(
                () ->
                    operator.isAlive()
                        && RuntimeImageTest.status(
                                http, "http://127.0.0.1:" + port + "/q/health/ready")
                            == 200);
        assertThat(OciImage.uid(operator))
            .as("the operator runs as the image's user")
            .isEqualTo(10001);
        assertThat(OciImage.mapsAotCache(operator))
            .as("the operator starts from the image's AOT cache")
            .isTrue();

        mdeps.create(
            ModelDeployments.modelDeployment(
                "from-image", Map.of("model", Map.of("uri", "file:///models/m.onnx"))));
        await("the operator in the image creates the revision's Deployment")
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    cluster
                            .client()
                            .apps()
                            .deployments()
                            .inNamespace("default")
                            .withName("from-image-r1")
                            .get()
                        != null);
        // The counter can show up a moment after the Deployment (a single scrape missed it once in
        // a fresh-clone run): the scrape is awaited, the name it must hold is not weakened.
        HttpRequest metrics =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build();
        await("JOSDK's reconciliation counter in a scrape")
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(http.send(metrics, HttpResponse.BodyHandlers.ofString()).body())
                        .contains("operator_sdk_reconciliations_started_total"));
      } finally {
        operator.destroy();
        operator.waitFor();
      }
    }
  }
}
