package dev.modelops.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged runtime with a small heap (192 MiB, out of memory ends it, as in the image) under a
 * flood of concurrent maximum-size requests, together twice its heap: it refuses what it cannot
 * hold with 429s, serves the rest, never runs out of memory, keeps the growth of its resident
 * memory (read from /proc) under a bound, and serves small requests afterwards. The bytes in flight
 * are the default derived from the heap (an eighth).
 */
class AdmissionFloodIT {

  private static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;
  private static final int FLOOD = 48;

  private static final long HEAP_BYTES = 192L * 1024 * 1024;

  /**
   * What the flood may add to the idle server's resident memory: the heap, the direct memory (which
   * the JVM bounds by the heap's size), and as much again for ONNX Runtime's native working memory
   * of the runs in flight (about 75 MiB for one 8 MiB request to the MLP). Measured: 260-320 MiB.
   * Without admission control the flood's bodies alone are twice the heap, and the JVM runs out of
   * memory.
   */
  private static final long RSS_GROWTH_LIMIT_BYTES = 3 * HEAP_BYTES;

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final Path log = Path.of("target/admission-flood-it.log");
  private Process server;
  private int port;

  @Test
  void aFloodOfMaximumSizeRequestsIsRefusedWith429AndTheServerStaysWithinItsMemory()
      throws Exception {
    start(Map.of());
    long idleRss = rss();

    AtomicLong peakRss = new AtomicLong(idleRss);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(
        () -> peakRss.accumulateAndGet(rss(), Math::max), 0, 20, TimeUnit.MILLISECONDS);
    byte[] large = LocalServer.binaryRequest(MAX_REQUEST_BYTES);
    List<CompletableFuture<HttpResponse<byte[]>>> flood = new ArrayList<>();
    try {
      for (int i = 0; i < FLOOD; i++) {
        // Half ask before sending the body (Expect: 100-continue) and are refused before it;
        // half send it at once, and the server reads and drops what it refused.
        flood.add(
            client.sendAsync(infer(large, i % 2 == 0), HttpResponse.BodyHandlers.ofByteArray()));
      }
      CompletableFuture.allOf(flood.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    } finally {
      sampler.shutdownNow();
    }

    Map<Integer, Integer> statuses = new TreeMap<>();
    for (CompletableFuture<HttpResponse<byte[]>> answer : flood) {
      HttpResponse<byte[]> r = answer.join();
      statuses.merge(r.statusCode(), 1, Integer::sum);
      if (r.statusCode() == 429) {
        assertThat(r.headers().firstValue("retry-after")).contains("1");
        assertThat(new String(r.body(), StandardCharsets.UTF_8))
            .startsWith("{\"error\":")
            .contains("MODELOPS_ADMISSION_MAX_IN_FLIGHT_BYTES=");
      }
    }
    assertThat(statuses.keySet()).as(statuses + log()).containsOnly(200, 429);
    assertThat(statuses.get(429)).as("refused: more than the heap allows at once").isPositive();
    assertThat(statuses.get(200)).as("served").isPositive();
    assertThat(server.isAlive()).as("no OutOfMemoryError ended it" + log()).isTrue();
    assertThat(peakRss.get() - idleRss)
        .as(
            "growth of the resident memory (idle %d MiB, peak %d MiB)",
            idleRss >> 20, peakRss.get() >> 20)
        .isLessThan(RSS_GROWTH_LIMIT_BYTES);

    HttpResponse<byte[]> small =
        client.send(
            infer(LocalServer.binaryRequest(1024), false), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(small.statusCode()).as("a small request afterwards").isEqualTo(200);
    assertThat(status("/v2/health/ready")).isEqualTo(200);
    String metrics = get("/q/metrics");
    assertThat(
            Scrape.value(
                metrics, "modelops_admission_rejections_total", "bound=\"in_flight_bytes\""))
        .as("the refusals, in a real scrape")
        .isEqualTo((double) statuses.get(429));
    assertThat(Scrape.value(metrics, "modelops_in_flight_request_bytes", "model=\"mlp\""))
        .as("every byte given back")
        .isZero();
    assertThat(log()).doesNotContain("OutOfMemoryError", "ERROR");
    System.out.printf(
        "[flood] %s; resident memory idle %d MiB, peak %d MiB%n",
        statuses, idleRss >> 20, peakRss.get() >> 20);
  }

  /**
   * After a SIGTERM, in the drain delay, a request past the bound is told 503 (with {@code
   * Retry-After}), not 429: this pod is going away, and the client should try another. The bytes of
   * one request held half sent fill the bound.
   */
  @Test
  void whileDrainingARequestPastTheBoundIsRefusedWith503() throws Exception {
    // A drain delay far longer than the test needs: requests are served all through it.
    start(
        Map.of(
            "MODELOPS_DRAIN_DELAY",
            "120s",
            "MODELOPS_ADMISSION_MAX_IN_FLIGHT_BYTES",
            Integer.toString(MAX_REQUEST_BYTES)));
    server.destroy();
    await("readiness down after SIGTERM")
        .atMost(Duration.ofSeconds(30))
        .until(() -> status("/v2/health/ready") == 503);

    byte[] large = LocalServer.binaryRequest(MAX_REQUEST_BYTES);
    CompletableFuture<Void> rest = new CompletableFuture<>();
    CompletableFuture<HttpResponse<byte[]>> held =
        client.sendAsync(
            HttpRequest.newBuilder(url("/v2/models/mlp/infer"))
                .timeout(Duration.ofMinutes(1))
                .header(
                    "Inference-Header-Content-Length",
                    Integer.toString(LocalServer.jsonLength(large)))
                .POST(LocalServer.inTwoHalves(large, rest))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    await("the held request's bytes reserved")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Scrape.value(get("/q/metrics"), "modelops_in_flight_request_bytes", "model=")
                    >= large.length);

    HttpResponse<String> refused =
        client.send(infer(large, true), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
    assertThat(refused.headers().firstValue("retry-after")).contains("1");
    assertThat(refused.body())
        .startsWith("{\"error\":")
        .contains("MODELOPS_ADMISSION_MAX_IN_FLIGHT_BYTES=" + MAX_REQUEST_BYTES);
    rest.complete(null);
    assertThat(held.get(1, TimeUnit.MINUTES).statusCode())
        .as("the request the server took is served")
        .isEqualTo(200);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  private void start(Map<String, String> settings) throws IOException {
    List<String> jvm = new ArrayList<>(LocalServer.imageJavaOptions());
    jvm.addAll(List.of("-XX:ActiveProcessorCount=2", "-Xmx" + (HEAP_BYTES >> 20) + "m"));
    Map<String, String> env = new HashMap<>();
    env.put("MODELOPS_MAX_REQUEST_BYTES", Integer.toString(MAX_REQUEST_BYTES));
    env.put("MODELOPS_DRAIN_DELAY", "0s");
    env.putAll(settings);
    LocalServer.Started started = LocalServer.startPackaged(jvm, "mlp", "mlp.onnx", env, log);
    server = started.process();
    port = started.port();
  }

  private HttpRequest infer(byte[] body, boolean expectContinue) {
    return HttpRequest.newBuilder(url("/v2/models/mlp/infer"))
        .timeout(Duration.ofMinutes(3))
        .expectContinue(expectContinue)
        .header("Inference-Header-Content-Length", Integer.toString(LocalServer.jsonLength(body)))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  /** The server's resident memory now, from /proc. */
  private long rss() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(server.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
      return 0;
    } catch (IOException e) {
      // The process is gone: its memory is no longer resident.
      return 0;
    }
  }

  private String get(String path) throws IOException, InterruptedException {
    return client
        .send(
            HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private int status(String path) {
    return LocalServer.status(client, url(path));
  }

  private URI url(String path) {
    return LocalServer.url(port, path);
  }

  private String log() {
    return LocalServer.log(log);
  }
}
