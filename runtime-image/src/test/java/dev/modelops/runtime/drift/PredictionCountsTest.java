package dev.modelops.runtime.drift;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The predictions counter, read from a real scrape: its counts by class grow by the argmax of the
 * rows the server answered, with drift off (no baseline).
 */
@QuarkusTest
class PredictionCountsTest {

  private static final Pattern SERIES =
      Pattern.compile(
          "modelops_inference_predictions_total\\{bin=\"(\\d+)\",model=\"mlp\",output=\"(\\w+)\","
              + "revision=\"0\"} ([0-9.E]+)");

  @Test
  void countsGrowByTheAnsweredRowsPredictedClasses() {
    dev.modelops.runtime.ModelReady.await();
    given().body(request("[0, 0, 0, 0]", 1)).post("/v2/models/mlp/infer").then().statusCode(200);
    Map<String, Double> before = counts();
    String rows = "[5, -3, 2, 9, -7, 1, 0.5, 4, 3, 3, -3, -3, 10, 0, -10, 2, -1, -2, 8, 6]";
    JsonPath answer =
        given()
            .body(request(rows, 5))
            .post("/v2/models/mlp/infer")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    List<Float> scores = answer.getList("outputs[0].data", Float.class);
    int classes = answer.getList("outputs[0].shape", Integer.class).get(1);
    Map<String, Double> expected = new HashMap<>(before);
    for (int r = 0; r < 5; r++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (scores.get(r * classes + c) > scores.get(r * classes + best)) {
          best = c;
        }
      }
      expected.merge(Integer.toString(best), 1.0, Double::sum);
    }
    assertThat(counts()).isEqualTo(expected);
    assertThat(expected.keySet()).hasSize(classes);
  }

  @Test
  void scoresFallInTenthsOfTheUnitInterval() {
    assertThat(PredictionCounts.SCORE_BINS[PredictionCounts.scoreBin(-0.5)]).isEqualTo("lt0");
    assertThat(PredictionCounts.SCORE_BINS[PredictionCounts.scoreBin(0)]).isEqualTo("0.0");
    assertThat(PredictionCounts.SCORE_BINS[PredictionCounts.scoreBin(0.35)]).isEqualTo("0.3");
    assertThat(PredictionCounts.SCORE_BINS[PredictionCounts.scoreBin(1.0)]).isEqualTo("0.9");
    assertThat(PredictionCounts.SCORE_BINS[PredictionCounts.scoreBin(1.5)]).isEqualTo("gt1");
    assertThat(PredictionCounts.scoreBin(Double.NaN)).isEqualTo(-1);
  }

  private static Map<String, Double> counts() {
    Map<String, Double> counts = new HashMap<>();
    Matcher m = SERIES.matcher(given().get("/q/metrics").asString());
    while (m.find()) {
      counts.put(m.group(1), Double.parseDouble(m.group(3)));
    }
    return counts;
  }

  private static String request(String data, int rows) {
    return "{\"inputs\": [{\"name\": \"input\", \"shape\": [%d, 4], \"datatype\": \"FP32\", \"data\": %s}]}"
        .formatted(rows, data);
  }
}
