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
 * Past the bound on the batch queue a request is refused at once with a 429, {@code Retry-After}
 * and a V2 error naming the bound; the others are served. long_run.onnx takes about a second a run
 * and each two-row request fills a batch, so while every runner is busy one request waits and the
 * rest find the queue full.
 */
@QuarkusTest
@TestProfile(ModelProfiles.QueueLength.class)
class QueueLengthTest {

  @TestHTTPResource("/v2/models/slow/infer")
  URI infer;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void ready() {
    ModelReady.await();
  }

  @Test
  void aRequestPastTheQueuesBoundIsRefusedWith429() {
    double rejectedBefore =
        Scrape.value("modelops_admission_rejections_total", "bound=\"queue_length\"");
    int requests = Runtime.getRuntime().availableProcessors() + 4;
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      answers.add(client.sendAsync(twoRows(i), HttpResponse.BodyHandlers.ofString()));
    }
    int served = 0;
    int refused = 0;
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> r = answers.get(i).join();
      if (r.statusCode() == 200) {
        served++;
        assertThat(r.body()).as("request %d", i).contains("\"data\":[%s,".formatted(2.0 * i));
      } else {
        refused++;
        assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(429);
        assertThat(r.body())
            .as("a V2 error naming the bound and its value")
            .startsWith("{\"error\":")
            .contains("the batch queue is full", "MODELOPS_ADMISSION_MAX_QUEUE=1");
        assertThat(r.headers().firstValue("retry-after")).contains("1");
      }
    }
    assertThat(served).isPositive();
    assertThat(refused).as("more requests than runners and one queue place").isPositive();
    assertThat(
            Scrape.value("modelops_admission_rejections_total", "bound=\"queue_length\"")
                - rejectedBefore)
        .as("counted in a real scrape")
        .isEqualTo(refused);
    assertThat(Scrape.value("modelops_batch_queue_length", "model=\"slow\""))
        .as("nothing waits once all are answered")
        .isZero();
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
}
