package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.runtime.LocalServer;
import dev.modelops.runtime.ModelProfiles;
import dev.modelops.runtime.ModelReady;
import dev.modelops.runtime.Scrape;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bytes of request bodies in flight are bounded (100,000 here): a request whose declared length
 * would pass the bound while another holds its bytes gets a 429 with {@code Retry-After} and a V2
 * error naming the bound, before its body is read; once the first is answered it is served. A body
 * larger than the bound could never be admitted: a 413.
 */
@QuarkusTest
@TestProfile(ModelProfiles.InFlightBytes.class)
class InFlightBytesTest {

  private static final int BODY = 60_000;

  @TestHTTPResource("/v2/models/mlp/infer")
  URI infer;

  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void ready() {
    ModelReady.await();
  }

  @Test
  void aBodyPastTheBoundOnBytesInFlightWaitsForItsTurnWith429() throws Exception {
    double rejectedBefore =
        Scrape.value("modelops_admission_rejections_total", "bound=\"in_flight_bytes\"");
    byte[] body = padded(BODY);
    // The first request sends half its body and holds the rest: its 60,000 bytes are reserved.
    CompletableFuture<Void> rest = new CompletableFuture<>();
    CompletableFuture<HttpResponse<String>> held =
        client.sendAsync(
            HttpRequest.newBuilder(infer)
                .POST(LocalServer.inTwoHalves(body, rest))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    await("the first request's bytes held")
        .atMost(Duration.ofSeconds(30))
        .until(() -> Scrape.value("modelops_in_flight_request_bytes", "model=\"mlp\"") >= BODY);

    HttpResponse<String> refused = send(body);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(refused.headers().firstValue("retry-after")).contains("1");
    assertThat(refused.body())
        .startsWith("{\"error\":")
        .contains("MODELOPS_ADMISSION_MAX_IN_FLIGHT_BYTES=100000", "60000 held now");

    rest.complete(null);
    assertThat(held.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await("the first request's bytes given back")
        .atMost(Duration.ofSeconds(30))
        .until(() -> Scrape.value("modelops_in_flight_request_bytes", "model=\"mlp\"") == 0);
    HttpResponse<String> served = send(body);
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
    assertThat(
            Scrape.value("modelops_admission_rejections_total", "bound=\"in_flight_bytes\"")
                - rejectedBefore)
        .as("counted in a real scrape")
        .isEqualTo(1);
  }

  /**
   * A chunked body, without a declared length, reserves its bytes as they come: refused once they
   * would pass the bound, not after the whole body is read.
   */
  @Test
  void aChunkedBodyIsRefusedWhenItsBytesPassTheBound() throws Exception {
    CompletableFuture<Void> rest = new CompletableFuture<>();
    CompletableFuture<HttpResponse<String>> held =
        client.sendAsync(
            HttpRequest.newBuilder(infer)
                .POST(LocalServer.inTwoHalves(padded(BODY), rest))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    await("the first request's bytes held")
        .atMost(Duration.ofSeconds(30))
        .until(() -> Scrape.value("modelops_in_flight_request_bytes", "model=\"mlp\"") >= BODY);

    byte[] chunk = new byte[10_000];
    Arrays.fill(chunk, (byte) ' ');
    InputStream chunks =
        new SequenceInputStream(
            Collections.enumeration(
                Stream.generate(() -> new ByteArrayInputStream(chunk)).limit(6).toList()));
    HttpResponse<String> refused =
        client.send(
            HttpRequest.newBuilder(infer)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> chunks))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(refused.headers().firstValue("retry-after")).contains("1");
    assertThat(refused.body()).contains("MODELOPS_ADMISSION_MAX_IN_FLIGHT_BYTES=100000");

    rest.complete(null);
    assertThat(held.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await("every byte given back")
        .atMost(Duration.ofSeconds(30))
        .until(() -> Scrape.value("modelops_in_flight_request_bytes", "model=\"mlp\"") == 0);
  }

  @Test
  void aBodyLargerThanTheBoundIsTooLarge() {
    given()
        .body(padded(100_001))
        .post("/v2/models/mlp/infer")
        .then()
        .statusCode(413)
        .body("error", org.hamcrest.Matchers.containsString("the limit is 100000"));
  }

  private HttpResponse<String> send(byte[] body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(infer)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A valid one-row request padded with spaces to {@code size} bytes. */
  private static byte[] padded(int size) {
    byte[] json =
        "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\", \"data\": [1, 2, 3, 4]}]}"
            .getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(json, size);
    Arrays.fill(body, json.length, size, (byte) ' ');
    return body;
  }
}
