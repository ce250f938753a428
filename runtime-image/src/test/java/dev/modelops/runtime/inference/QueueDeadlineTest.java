package dev.modelops.runtime.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.runtime.ModelProfiles;
import dev.modelops.runtime.ModelReady;
import dev.modelops.runtime.Scrape;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request that waited in the batch queue past its deadline is answered 503 with a V2 error and
 * never run. long_run.onnx takes about a second a run and the batches hold one two-row request
 * each, so while every runner is busy the requests behind them wait far longer than the 100 ms
 * deadline; the first request, alone, always runs.
 */
@QuarkusTest
@TestProfile(ModelProfiles.QueueDeadline.class)
class QueueDeadlineTest {

  @TestHTTPResource("/v2/models/slow/infer")
  URI infer;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void ready() {
    ModelReady.await();
  }

  @Test
  void aRequestPastItsDeadlineIsAnswered503AndNeverRun() {
    double runsBefore = Scrape.value("modelops_batch_requests_sum", "model=\"slow\"");
    double rejectedBefore =
        Scrape.value("modelops_admission_rejections_total", "bound=\"queue_deadline\"");
    int requests = Runtime.getRuntime().availableProcessors() + 3;
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      answers.add(client.sendAsync(twoRows(i), HttpResponse.BodyHandlers.ofString()));
    }
    int served = 0;
    int expired = 0;
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> r = answers.get(i).join();
      if (r.statusCode() == 200) {
        served++;
        assertThat(r.body()).as("request %d", i).contains(doubled(i));
      } else {
        expired++;
        assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(503);
        assertThat(r.body())
            .as("a V2 error naming the bound and its value")
            .startsWith("{\"error\":")
            .contains("deadline", "MODELOPS_ADMISSION_QUEUE_DEADLINE=100ms");
        assertThat(r.headers().firstValue("retry-after")).contains("1");
      }
    }
    assertThat(served).as("the first request, alone, runs").isPositive();
    assertThat(expired).as("requests behind a second-long run wait past 100 ms").isPositive();
    assertThat(Scrape.value("modelops_batch_requests_sum", "model=\"slow\"") - runsBefore)
        .as("requests the model ran: only those answered 200")
        .isEqualTo(served);
    assertThat(
            Scrape.value("modelops_admission_rejections_total", "bound=\"queue_deadline\"")
                - rejectedBefore)
        .as("counted in a real scrape")
        .isEqualTo(expired);
    assertThat(Scrape.value("modelops_inference_errors_total", "kind=\"deadline_exceeded\""))
        .isGreaterThanOrEqualTo(expired);
  }

  private HttpRequest twoRows(int i) {
    return HttpRequest.newBuilder(infer)
        .timeout(Duration.ofSeconds(120))
        .POST(
            HttpRequest.BodyPublishers.ofString(
                """
                {"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32",
                  "data": [%d, 1, 2, 3, 4, 5, 6, 7]}]}"""
                    .formatted(i)))
        .build();
  }

  /** long_run.onnx doubles its input: the start of the answer's data. */
  private static String doubled(int i) {
    return "\"data\":[%s,2.0,4.0,6.0,8.0,10.0,12.0,14.0]".formatted((double) (2 * i));
  }
}
