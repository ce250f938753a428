package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;

import dev.modelops.runtime.ModelProfiles;
import dev.modelops.runtime.ModelReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * failing.onnx, the bad revision canary tests deploy: it becomes ready (its warm-up row of zeros
 * passes) and every real request is a 500 model_error with a V2 body.
 */
@QuarkusTest
@TestProfile(ModelProfiles.Failing.class)
class FailingRevisionTest {

  static final String REQUEST =
      """
      {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "data": %s}]}
      """;

  @BeforeEach
  void modelReady() {
    ModelReady.await();
  }

  @Test
  void aRealRequestIsA500ModelError() {
    given()
        .body(REQUEST.formatted("[0.1, 0.2, 0.3, 0.4]"))
        .post("/v2/models/failing/infer")
        .then()
        .statusCode(500)
        .body("error", containsString("the model failed"));
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("model=\"failing\",outcome=\"model_error\""));
    given().get("/v2/health/ready").then().statusCode(200);
  }

  @Test
  void aRowOfZerosLikeTheWarmUpIsAnswered() {
    given()
        .body(REQUEST.formatted("[0, 0, 0, 0]"))
        .post("/v2/models/failing/infer")
        .then()
        .statusCode(200)
        .body("outputs[0].data", hasSize(3));
  }
}
