package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;

import dev.modelops.runtime.ModelProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** A model without a batch dimension is served as it is, without batching. */
@QuarkusTest
@TestProfile(ModelProfiles.Fixed.class)
class FixedShapeModelTest {

  @org.junit.jupiter.api.BeforeEach
  void modelReady() {
    dev.modelops.runtime.ModelReady.await();
  }

  @Test
  void servesWithoutABatchDimension() {
    given().get("/v2/models/fixed").then().statusCode(200).body("inputs[0].shape", contains(2, 3));
    given()
        .body(
            "{\"inputs\": [{\"name\": \"x\", \"shape\": [2, 3], \"datatype\": \"FP32\", \"data\": [[0, 1, 2], [3, 4, 5]]}]}")
        .post("/v2/models/fixed/infer")
        .then()
        .statusCode(200)
        .body("outputs[0].data", contains(1f, 2f, 3f, 4f, 5f, 6f));
    given()
        .body(
            "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [0, 1, 2]}]}")
        .post("/v2/models/fixed/infer")
        .then()
        .statusCode(400)
        .body("error", containsString("the model expects [2, 3]"));
  }
}
