package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;

import dev.modelops.runtime.ModelProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * A failure inside the model is a 500 with a V2 body, counted as an error; the server stays ready.
 */
@QuarkusTest
@TestProfile(ModelProfiles.Gather.class)
class FailingModelTest {

  @org.junit.jupiter.api.BeforeEach
  void modelReady() {
    dev.modelops.runtime.ModelReady.await();
  }

  @Test
  void isA500WithAV2BodyAndCountedAsAnError() {
    String request =
        "{\"inputs\": [{\"name\": \"data\", \"shape\": [3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]},"
            + "{\"name\": \"indices\", \"shape\": [1], \"datatype\": \"INT64\", \"data\": [%d]}]}";
    given()
        .body(request.formatted(2))
        .post("/v2/models/gather/infer")
        .then()
        .statusCode(200)
        .body("outputs[0].data", contains(3f));
    given()
        .body(request.formatted(7))
        .post("/v2/models/gather/infer")
        .then()
        .statusCode(500)
        .body("error", containsString("the model failed"));
    given()
        .get("/q/metrics")
        .then()
        .body(
            containsString(
                "modelops_inference_errors_total{kind=\"model_error\",model=\"gather\""));
    given().get("/v2/health/ready").then().statusCode(200);
  }
}
