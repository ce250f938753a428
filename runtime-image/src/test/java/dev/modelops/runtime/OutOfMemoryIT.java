package dev.modelops.runtime;

import static org.assertj.core.api.Assertions.assertThat;

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
    List<String> jvm = new ArrayList<>(LocalServer.imageJavaOptions());
    jvm.addAll(List.of("-XX:ActiveProcessorCount=2", "-Xmx192m"));
    LocalServer.Started started =
        LocalServer.startPackaged(
            jvm,
            "mlp",
            "mlp.onnx",
            Map.of(
                "MODELOPS_MAX_REQUEST_BYTES",
                Integer.toString(MAX_REQUEST_BYTES),
                // Far past the heap: the flood is all let in.
                "MODELOPS_ADMISSION_MAX_IN_FLIGHT_BYTES",
                Long.toString(4L << 30),
                "MODELOPS_DRAIN_DELAY",
                "0s"),
            log);
    server = started.process();
    port = started.port();

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
