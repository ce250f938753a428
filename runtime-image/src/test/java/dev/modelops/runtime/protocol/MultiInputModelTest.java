package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.modelops.runtime.ModelProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** Several inputs of several datatypes, several outputs. */
@QuarkusTest
@TestProfile(ModelProfiles.MultiIo.class)
class MultiInputModelTest {

  @org.junit.jupiter.api.BeforeEach
  void modelReady() {
    dev.modelops.runtime.ModelReady.await();
  }

  @Test
  void eachOutputFromItsInputs() {
    String body =
        """
        {"inputs": [
          {"name": "a", "shape": [2, 2], "datatype": "INT64", "data": [1, 2, 3, 4]},
          {"name": "b", "shape": [2, 2], "datatype": "FP64", "data": [0.5, 0.5, 0.5, 0.5]},
          {"name": "mask", "shape": [2, 2], "datatype": "BOOL", "data": [true, false, false, true]}]}""";
    given()
        .body(body)
        .post("/v2/models/multi/infer")
        .then()
        .statusCode(200)
        .body("outputs.find { it.name == 'sum' }.data", contains(1.5f, 2.5f, 3.5f, 4.5f))
        .body("outputs.find { it.name == 'masked' }.data", contains(1, 0, 0, 4));
  }

  @Test
  void aMissingInputIsNamed() {
    given()
        .body(
            "{\"inputs\": [{\"name\": \"a\", \"shape\": [1, 2], \"datatype\": \"INT64\", \"data\": [1, 2]}]}")
        .post("/v2/models/multi/infer")
        .then()
        .statusCode(400)
        .body("error", equalTo("missing inputs [b, mask]"));
  }
}
