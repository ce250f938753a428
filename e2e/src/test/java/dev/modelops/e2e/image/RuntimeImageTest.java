package dev.modelops.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.e2e.sandbox.SandboxCluster;
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
    Path repo = SandboxCluster.repo();
    Path out = temp.resolve("image");
    ScriptRun build =
        ScriptRun.run(
            List.of(
                "python3",
                repo.resolve("runtime-image/image/build_image.py").toString(),
                "--java-home",
                System.getProperty("java.home"),
                "--app",
                repo.resolve("runtime-image/target/quarkus-app").toString(),
                "--model",
                repo.resolve("runtime-image/src/test/resources/models/mlp.onnx").toString(),
                "--out",
                out.toString()),
            List.of());
    assertThat(build.exitCode()).as(build.stderr()).isZero();

    Path oci = out.resolve("oci");
    JsonNode index = JSON.readTree(oci.resolve("index.json").toFile());
    JsonNode manifest = JSON.readTree(verifiedBlob(oci, index.at("/manifests/0/digest").asText()));
    JsonNode config = JSON.readTree(verifiedBlob(oci, manifest.at("/config/digest").asText()));
    assertThat(config.at("/config/User").asText()).isEqualTo("10001:10001");
    assertThat(config.at("/config/Cmd/0").asText()).isEqualTo("serve");
    Path layer =
        oci.resolve("blobs/sha256").resolve(manifest.at("/layers/0/digest").asText().substring(7));
    verifiedBlob(oci, manifest.at("/layers/0/digest").asText());

    Path rootfs = Files.createDirectories(temp.resolve("rootfs"));
    ScriptRun unpack =
        ScriptRun.run(List.of("tar", "-xzf", layer.toString(), "-C", rootfs.toString()), List.of());
    assertThat(unpack.exitCode()).as(unpack.stderr()).isZero();
    for (String[] device : new String[][] {{"null", "3"}, {"random", "8"}, {"urandom", "9"}}) {
      ScriptRun mknod =
          ScriptRun.run(
              List.of(
                  "mknod",
                  "-m",
                  "666",
                  rootfs.resolve("dev").resolve(device[0]).toString(),
                  "c",
                  "1",
                  device[1]),
              List.of());
      assertThat(mknod.exitCode()).as("mknod needs root: %s", mknod.stderr()).isZero();
    }

    int port = freePort();
    List<String> command =
        new ArrayList<>(List.of("/usr/sbin/chroot", "--userspec=10001:10001", rootfs.toString()));
    config.at("/config/Entrypoint").forEach(e -> command.add(e.asText()));
    config.at("/config/Cmd").forEach(e -> command.add(e.asText()));
    ProcessBuilder container =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(temp.resolve("container.log").toFile());
    container.environment().clear();
    // Kubernetes mounts /proc, where the loader finds the JVM's $ORIGIN; a bare chroot has none.
    container.environment().put("LD_LIBRARY_PATH", "/opt/java/lib:/opt/java/lib/server");
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
      long uid =
          Files.readAllLines(Path.of("/proc", Long.toString(server.pid()), "status")).stream()
              .filter(l -> l.startsWith("Uid:"))
              .map(l -> Long.parseLong(l.split("\\s+")[1]))
              .findFirst()
              .orElseThrow();
      assertThat(uid).as("the server runs as the image's user").isEqualTo(10001);
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
        new ArrayList<>(List.of("/usr/sbin/chroot", "--userspec=10001:10001", rootfs.toString()));
    config.at("/config/Entrypoint").forEach(e -> fetch.add(e.asText()));
    fetch.addAll(
        List.of(
            "fetch",
            "--uri",
            "file:///models/iris.onnx",
            "--sha256",
            sha,
            "--dest",
            "/tmp/fetched/model.onnx"));
    ScriptRun fetched =
        ScriptRun.run(fetch, List.of("LD_LIBRARY_PATH=/opt/java/lib:/opt/java/lib/server"));
    assertThat(fetched.exitCode()).as(fetched.stdout() + fetched.stderr()).isZero();
    assertThat(rootfs.resolve("tmp/fetched/model.onnx"))
        .hasSameBinaryContentAs(rootfs.resolve("models/iris.onnx"));
    fetch.set(fetch.indexOf(sha), "0".repeat(64));
    ScriptRun mismatch =
        ScriptRun.run(fetch, List.of("LD_LIBRARY_PATH=/opt/java/lib:/opt/java/lib/server"));
    assertThat(mismatch.exitCode()).isOne();
    assertThat(mismatch.stderr())
        .contains(
            "fetch: sha256 mismatch for /models/iris.onnx: expected "
                + "0".repeat(64)
                + ", got "
                + sha);
  }

  static byte[] verifiedBlob(Path oci, String digest) throws Exception {
    byte[] data =
        Files.readAllBytes(
            oci.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())));
    String actual =
        "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    assertThat(actual).as("blob digest").isEqualTo(digest);
    return data;
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
