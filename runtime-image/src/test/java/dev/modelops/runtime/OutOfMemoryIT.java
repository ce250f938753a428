package dev.modelops.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A JVM out of heap ends, so the kubelet restarts it: the packaged runtime, started with the
 * image's JVM options (image/java-options, {@code -XX:+ExitOnOutOfMemoryError} among them) and a
 * small heap, with the bound on request bytes in flight raised far past that heap, is flooded with
 * maximum-size requests, as {@link AdmissionFloodIT} floods it with the bound in place. Nothing in
 * the server is told to fail: the bodies, their tensors and the model's outputs really exhaust the
 * heap, and the process exits with a non-zero code, saying why.
 */
class OutOfMemoryIT {

  private static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;
  private static final int FLOOD = 64;

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final Path log = Path.of("target/out-of-memory-it.log");
  private Process server;
  private int port;

  @Test
  void aJvmOutOfHeapEndsWithANonZeroExitSayingSo() throws Exception {
    String jar = System.getProperty("runtime.jar", "");
    assumeTrue(
        !jar.isEmpty(), "runs in the integration-test phase (mvn verify), on the packaged server");
    start(Path.of(jar));
    await("ready (log: " + log + ")")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> server.isAlive() && LocalServer.status(client, url("/v2/health/ready")) == 200);

    byte[] large = LocalServer.binaryRequest(MAX_REQUEST_BYTES);
    List<CompletableFuture<HttpResponse<Void>>> flood = new ArrayList<>();
    for (int i = 0; i < FLOOD; i++) {
      flood.add(client.sendAsync(infer(large), HttpResponse.BodyHandlers.discarding()));
    }

    assertThat(server.waitFor(3, TimeUnit.MINUTES))
        .as("the flood ends the process" + LocalServer.log(log))
        .isTrue();
    assertThat(server.exitValue()).as(LocalServer.log(log)).isNotZero();
    assertThat(LocalServer.log(log))
        .contains("Terminating due to java.lang.OutOfMemoryError: Java heap space");
    // Every request of the flood ends, answered or cut off with the process: none waits for ever.
    CompletableFuture.allOf(
            flood.stream().map(f -> f.handle((r, e) -> r)).toArray(CompletableFuture[]::new))
        .get(1, TimeUnit.MINUTES);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  private void start(Path jar) throws IOException {
    port = LocalServer.freePort();
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(LocalServer.imageJavaOptions());
    command.addAll(List.of("-XX:ActiveProcessorCount=2", "-Xmx192m", "-jar", jar.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    env.put("MODELOPS_MODEL_NAME", "mlp");
    env.put(
        "MODELOPS_MODEL_PATH",
        Path.of("src/test/resources/models/mlp.onnx").toAbsolutePath().toString());
    env.put("MODELOPS_MAX_REQUEST_BYTES", Integer.toString(MAX_REQUEST_BYTES));
    // Far past the heap: the flood is all let in.
    env.put("MODELOPS_ADMISSION_MAX_IN_FLIGHT_BYTES", Long.toString(4L << 30));
    env.put("MODELOPS_DRAIN_DELAY", "0s");
    env.put("MODELOPS_TERMINATION_LOG", Path.of("target/out-of-memory-it.termination").toString());
    server = builder.start();
  }

  private HttpRequest infer(byte[] body) {
    return HttpRequest.newBuilder(url("/v2/models/mlp/infer"))
        .timeout(Duration.ofMinutes(3))
        .header("Inference-Header-Content-Length", Integer.toString(LocalServer.jsonLength(body)))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  private java.net.URI url(String path) {
    return LocalServer.url(port, path);
  }
}
