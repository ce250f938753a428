package dev.modelops.runtime.drift;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.modelops.runtime.ModelProfiles;
import dev.modelops.runtime.ModelReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The drift report and gauges of the MLP served with a baseline (x0..x3 standard normal) and
 * windows of 200 rows, fed through real inference requests and read over HTTP and from a real
 * scrape of /q/metrics.
 */
@QuarkusTest
@TestProfile(ModelProfiles.Drift.class)
class DriftEndpointTest {

  @BeforeEach
  void ready() {
    ModelReady.await();
  }

  static JsonPath report() {
    return given().get("/v2/models/mlp/drift").then().statusCode(200).extract().jsonPath();
  }

  static JsonPath reportWith(long samples) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> report().getLong("samples") == samples);
    return report();
  }

  /** 20 rows per request; x2 is shifted by {@code shift} standard deviations. */
  static void send(Random random, int requests, double shift) {
    for (int r = 0; r < requests; r++) {
      String rows =
          IntStream.range(0, 20)
              .mapToObj(
                  i ->
                      "[%f, %f, %f, %f]"
                          .formatted(
                              random.nextGaussian(),
                              random.nextGaussian(),
                              random.nextGaussian() + shift,
                              random.nextGaussian()))
              .collect(Collectors.joining(","));
      given()
          .body(
              "{\"inputs\": [{\"name\": \"input\", \"shape\": [20, 4], \"datatype\": \"FP32\","
                  + " \"data\": ["
                  + rows
                  + "]}]}")
          .post("/v2/models/mlp/infer")
          .then()
          .statusCode(200);
    }
  }

  static String scrape() {
    return given().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  /** The value of the one series of {@code metric} whose labels include all of {@code labels}. */
  static Optional<Double> series(String scrape, String metric, String... labels) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(metric + "{"))
        .filter(l -> List.of(labels).stream().allMatch(l::contains))
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst();
  }

  @Test
  void aHalfFullWindowHasNoScoresAndAFullOneShowsTheShiftedFeature() {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> report().getList("features").size() == 4);
    JsonPath empty = report();
    assertThat(empty.getBoolean("enabled")).isTrue();
    assertThat(empty.getInt("window")).isEqualTo(200);
    assertThat(empty.getString("input")).isEqualTo("input");
    assertThat(empty.getList("features.name")).containsExactly("x0", "x1", "x2", "x3");
    assertThat(series(scrape(), "modelops_drift_window_samples", "model=\"mlp\"")).contains(0.0);

    Random random = new Random(42);
    send(random, 5, 1.0);
    JsonPath half = reportWith(100);
    assertThat(half.getList("features.windowFull")).containsOnly(false);
    assertThat(half.getList("features.psi")).containsOnly((Object) null);
    assertThat((Object) half.get("overall")).isNull();
    assertThat(half.getList("outputs.counts", Integer.class).stream().mapToInt(i -> i).sum())
        .isEqualTo(100);
    String halfScrape = scrape();
    assertThat(halfScrape).doesNotContain("modelops_drift_score{", "modelops_drift_overall_score{");
    assertThat(series(halfScrape, "modelops_drift_window_samples", "model=\"mlp\""))
        .contains(100.0);

    send(random, 5, 1.0);
    JsonPath full = reportWith(200);
    assertThat(full.getList("features.windowFull")).containsOnly(true);
    assertThat(full.getLong("droppedSamples")).isZero();
    Map<String, Object> x2 = full.getMap("features[2]");
    assertThat(full.getList("features[2].counts")).hasSize(12);
    assertThat(full.getList("features[2].counts", Integer.class).stream().mapToInt(i -> i).sum())
        .isEqualTo(200);
    // x2 moved by one standard deviation: every method says so at its default threshold.
    assertThat(full.getDouble("features[2].psi")).isGreaterThan(0.1);
    assertThat(full.getDouble("features[2].ks.pValue")).isLessThan(0.01);
    assertThat(full.getDouble("features[2].jensenShannon")).isGreaterThan(0.1);
    assertThat(full.getDouble("features[2].wasserstein")).isGreaterThan(0.5);
    assertThat(full.getDouble("features[0].psi")).isLessThan(full.getDouble("features[2].psi"));
    assertThat(full.getDouble("overall.psi")).isEqualTo(full.getDouble("features[2].psi"));
    assertThat(full.getDouble("overall.ks.pValue"))
        .isEqualTo(Math.min(1, 4 * full.getDouble("features[2].ks.pValue")));
    assertThat(x2).containsKeys("binEdges", "samples", "type", "baselineStd");
    // The baseline's side of the same bins: 2000 rows in each of the 10 inner bins.
    assertThat(full.getList("features[2].baselineCounts", Integer.class))
        .containsExactly(0, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 0);
    // The outputs: the MLP's predicted classes against the baseline's.
    assertThat(full.getString("outputs.name")).isEqualTo("probabilities");
    assertThat(full.getString("outputs.kind")).isEqualTo("class");
    assertThat(full.getList("outputs.labels")).containsExactly("0", "1", "2", "other");
    assertThat(full.getList("outputs.counts", Integer.class).stream().mapToInt(i -> i).sum())
        .isEqualTo(200);
    assertThat(full.getDouble("outputs.psi")).isNotNegative();

    String metrics = scrape();
    assertThat(
            series(
                metrics,
                "modelops_drift_score",
                "feature=\"x2\"",
                "method=\"psi\"",
                "model=\"mlp\"",
                "revision=\"0\""))
        .hasValueSatisfying(
            v -> assertThat(v).isCloseTo(full.getDouble("features[2].psi"), within(1e-6)));
    assertThat(series(metrics, "modelops_drift_overall_score", "method=\"ksPValue\"")).isPresent();
    assertThat(
            series(
                metrics,
                "modelops_drift_output_score",
                "output=\"probabilities\"",
                "method=\"jensenShannon\""))
        .isPresent();
    assertThat(series(metrics, "modelops_drift_window_samples", "model=\"mlp\"")).contains(200.0);
    assertThat(metrics).contains("modelops_drift_dropped_samples_total{");
  }

  @Test
  void unknownModelsAndVersionsAreTheUsual404() {
    given()
        .get("/v2/models/nope/drift")
        .then()
        .statusCode(404)
        .body("error", containsString("model 'nope' is not served here"));
    given().get("/v2/models/mlp/versions/9/drift").then().statusCode(404);
    given()
        .get("/v2/models/mlp/versions/1/drift")
        .then()
        .statusCode(200)
        .body("version", equalTo("1"))
        .body("enabled", equalTo(true));
  }
}
