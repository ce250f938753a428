package dev.modelops.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.e2e.sandbox.AppImages;
import dev.modelops.e2e.sandbox.ScriptRun;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime image, built offline as an OCI image layout, is checked as a registry would check it
 * (digests) and run as a container runtime would run it: its one layer unpacked, its entrypoint
 * started in a chroot as its non-root user, serving the model inside it.
 */
class RuntimeImageTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void imageIsValidAndServesItsModelAsItsUser() throws Exception {
    OciImage image = OciImage.unpack(AppImages.runtime(), temp);
    // The build trains the AOT cache with the machine's JVM: once, asking whether the JVM can, it
    // left /dev/null a regular file, and the sandboxes' container shims failed on what they read.
    assertThat(
            Files.readAttributes(
                    Path.of("/dev/null"), java.nio.file.attribute.BasicFileAttributes.class)
                .isOther())
        .as("the machine's /dev/null is still a device after the image build")
        .isTrue();
    JsonNode config = image.config();
    Path rootfs = image.rootfs();
    assertThat(config.at("/config/User").asText()).isEqualTo("10001:10001");
    assertThat(config.at("/config/Cmd/0").asText()).isEqualTo("serve");

    int port = freePort();
    ProcessBuilder container =
        new ProcessBuilder(image.command())
            .redirectErrorStream(true)
            .redirectOutput(temp.resolve("container.log").toFile());
    container.environment().clear();
    // Kubernetes mounts /proc, where the loader finds the JVM's $ORIGIN; a bare chroot has none.
    container.environment().put("LD_LIBRARY_PATH", OciImage.LIBRARY_PATH.split("=")[1]);
    container.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    container.environment().put("MODELOPS_MODEL_NAME", "iris");
    container.environment().put("MODELOPS_MODEL_PATH", "/models/iris.onnx");
    Process server = container.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      await("ready (log: " + temp.resolve("container.log") + ")")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> server.isAlive() && status(http, base + "/v2/health/ready") == 200);
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/v2/models/iris/infer"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[5.1,3.5,1.4,0.2]}]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(answer.body()).at("/outputs/0/shape").toString()).isEqualTo("[1,3]");
      assertThat(OciImage.uid(server)).as("the server runs as the image's user").isEqualTo(10001);
      assertThat(OciImage.mapsAotCache(server))
          .as("the server starts from the image's AOT cache")
          .isTrue();
    } finally {
      server.destroy();
      server.waitFor();
    }

    String sha =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(rootfs.resolve("models/iris.onnx"))));
    List<String> fetch =
        new ArrayList<>(
            image.command(
                "fetch",
                "--uri",
                "file:///models/iris.onnx",
                "--sha256",
                sha,
                "--dest",
                "/tmp/fetched/model.onnx"));
    ScriptRun fetched = ScriptRun.run(fetch, List.of(OciImage.LIBRARY_PATH));
    assertThat(fetched.exitCode()).as(fetched.stdout() + fetched.stderr()).isZero();
    assertThat(rootfs.resolve("tmp/fetched/model.onnx"))
        .hasSameBinaryContentAs(rootfs.resolve("models/iris.onnx"));
    fetch.set(fetch.indexOf(sha), "0".repeat(64));
    ScriptRun mismatch = ScriptRun.run(fetch, List.of(OciImage.LIBRARY_PATH));
    assertThat(mismatch.exitCode()).isOne();
    assertThat(mismatch.stderr())
        .contains(
            "ChecksumMismatch: sha256 mismatch for /models/iris.onnx: expected "
                + "0".repeat(64)
                + ", got "
                + sha);
  }

  static int status(HttpClient http, String url) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
