package dev.modelops.runtime.drift;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** Without MODELOPS_BASELINE drift is off: the report says so and there are no drift metrics. */
@QuarkusTest
class DriftOffTest {

  @Test
  void theReportSaysWhyAndNoSeriesExist() {
    dev.modelops.runtime.ModelReady.await();
    given()
        .body(
            "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\","
                + " \"data\": [1, 2, 3, 4]}]}")
        .post("/v2/models/mlp/infer")
        .then()
        .statusCode(200);
    given()
        .get("/v2/models/mlp/drift")
        .then()
        .statusCode(200)
        .body("enabled", equalTo(false))
        .body("reason", equalTo("drift is off: MODELOPS_BASELINE is not set"))
        .body("model", equalTo("mlp"))
        .body("$", not(Matchers.hasKey("features")));
    given().get("/q/metrics").then().body(not(Matchers.containsString("modelops_drift_")));
  }
}
