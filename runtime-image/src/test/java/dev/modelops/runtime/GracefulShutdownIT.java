package dev.modelops.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged runtime stopped as Kubernetes stops a pod, with requests in flight: SIGTERM makes it
 * not ready at once while it lives and still serves, every request it took gets its answer, and it
 * exits 0. It serves {@code long_run.onnx} (about a second a run) on one core, so one request runs
 * while the others wait in the batcher's queue.
 */
class GracefulShutdownIT {

  private static final Duration DRAIN_DELAY = Duration.ofSeconds(3);
  private static final int IN_FLIGHT = 6;

  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final Path log = Path.of("target/graceful-shutdown-it.log");
  private Process server;
  private int port;

  @Test
  void sigtermAnswersEveryRequestInFlightThenExitsZero() throws Exception {
    LocalServer.Started started =
        LocalServer.startPackaged(
            List.of(
                // One model runner, so requests queue behind the one that runs.
                "-XX:ActiveProcessorCount=1",
                "-Xmx256m",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED"),
            "slow",
            "long_run.onnx",
            Map.of(
                "MODELOPS_DRAIN_DELAY",
                DRAIN_DELAY.toSeconds() + "s",
                "MODELOPS_DRAIN_TIMEOUT",
                "30s"),
            log);
    server = started.process();
    port = started.port();

    CountDownLatch written = new CountDownLatch(IN_FLIGHT);
    List<Call> calls = new ArrayList<>();
    for (int i = 0; i < IN_FLIGHT; i++) {
      calls.add(infer(i, json -> countedOnceSent(json, written)));
    }
    // Its body's second half comes only once the drain delay is over: a request the server took
    // in time that is still going when Quarkus starts refusing new ones.
    CompletableFuture<Void> rest = new CompletableFuture<>();
    Call straggler = infer(IN_FLIGHT, json -> LocalServer.inTwoHalves(json, rest));
    calls.add(straggler);
    assertThat(written.await(30, TimeUnit.SECONDS)).as("request bodies sent").isTrue();
    assertThat(calls)
        .as("requests in flight when SIGTERM comes (is long_run.onnx too fast here?)")
        .noneMatch(c -> c.response().isDone());

    server.destroy();
    await("readiness down after SIGTERM")
        .atMost(DRAIN_DELAY)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status("/v2/health/ready") == 503);
    assertThat(status("/v2/health/live")).as("liveness in the drain delay").isEqualTo(200);
    assertThat(status("/q/health/ready")).as("SmallRye readiness").isEqualTo(503);
    assertThat(status("/q/health/live")).as("SmallRye liveness").isEqualTo(200);
    Call late = infer(IN_FLIGHT + 1, HttpRequest.BodyPublishers::ofByteArray);
    calls.add(late);

    await("new requests refused once the drain delay is over")
        .atMost(DRAIN_DELAY.plusSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> status("/v2/health/live") == 503);
    assertThat(server.isAlive()).as("waiting for the requests in flight").isTrue();
    rest.complete(null);

    for (Call call : calls) {
      HttpResponse<String> response = call.response().get(90, TimeUnit.SECONDS);
      assertThat(response.statusCode())
          .as(() -> call + ": " + response.body() + log())
          .isEqualTo(200);
      assertThat(outputs(response.body())).as(call::toString).containsExactly(call.doubled());
    }
    assertThat(late.response().get().headers().firstValue("connection"))
        .as("an answer in the drain delay asks the client to reconnect elsewhere")
        .contains("close");
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).as(this::log).isTrue();
    assertThat(server.exitValue()).as(this::log).isZero();
    assertThat(log())
        .contains("shutting down: not ready from now", "Waiting for HTTP requests to complete")
        .doesNotContain("ERROR");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.destroyForcibly();
    }
  }

  /** One request in flight and what it must be answered: long_run.onnx doubles its input. */
  private record Call(int id, double[] input, CompletableFuture<HttpResponse<String>> response) {
    double[] doubled() {
      double[] y = new double[input.length];
      for (int i = 0; i < y.length; i++) {
        y[i] = 2 * input[i];
      }
      return y;
    }

    @Override
    public String toString() {
      return "request " + id;
    }
  }

  private Call infer(int id, Function<byte[], HttpRequest.BodyPublisher> body) {
    double[] x = {id + 1, id + 1.5, -(id + 1), 0.25 * (id + 1)};
    String json =
        """
        {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [%s, %s, %s, %s]}]}"""
            .formatted(x[0], x[1], x[2], x[3]);
    HttpRequest request =
        HttpRequest.newBuilder(url("/v2/models/slow/infer"))
            .timeout(Duration.ofSeconds(90))
            .POST(body.apply(json.getBytes(StandardCharsets.UTF_8)))
            .build();
    return new Call(id, x, client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
  }

  /** A request body that counts down once the client has handed all of it to the connection. */
  private static HttpRequest.BodyPublisher countedOnceSent(byte[] json, CountDownLatch written) {
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofByteArray(json);
    return HttpRequest.BodyPublishers.fromPublisher(
        subscriber ->
            body.subscribe(
                new Flow.Subscriber<>() {
                  @Override
                  public void onSubscribe(Flow.Subscription subscription) {
                    subscriber.onSubscribe(subscription);
                  }

                  @Override
                  public void onNext(ByteBuffer item) {
                    subscriber.onNext(item);
                  }

                  @Override
                  public void onError(Throwable failure) {
                    subscriber.onError(failure);
                  }

                  @Override
                  public void onComplete() {
                    subscriber.onComplete();
                    written.countDown();
                  }
                }),
        body.contentLength());
  }

  private static double[] outputs(String body) throws IOException {
    JsonNode data = new ObjectMapper().readTree(body).path("outputs").path(0).path("data");
    double[] values = new double[data.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = data.get(i).asDouble();
    }
    return values;
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
