package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.modelops.runtime.ModelProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** A file that is not ONNX: the server stays up, not ready, and says why everywhere. */
@QuarkusTest
@TestProfile(ModelProfiles.Corrupt.class)
class CorruptModelTest {
  @Test
  void staysUpNotReadyAndSaysWhy() {
    org.awaitility.Awaitility.await()
        .until(() -> given().get("/q/health/started").statusCode() == 200);
    given().get("/v2/health/live").then().statusCode(200).body("live", equalTo(true));
    given()
        .get("/v2/health/ready")
        .then()
        .statusCode(503)
        .body("ready", equalTo(false))
        .body("error", containsString("not a valid ONNX model"));
    given()
        .get("/v2/models/corrupt/ready")
        .then()
        .statusCode(503)
        .body("ready", equalTo(false))
        .body("error", containsString("not a valid ONNX model"));
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("checks.find { it.name == 'model' }.data.state", equalTo("FAILED"));
    given()
        .body(
            "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}")
        .post("/v2/models/corrupt/infer")
        .then()
        .statusCode(503)
        .body("error", containsString("is not ready"));
    given()
        .get("/q/metrics")
        .then()
        .body(containsString("modelops_model_load_failures_total{model=\"corrupt\""))
        .body(containsString("modelops_model_ready{model=\"corrupt\",revision=\"0\"} 0.0"));
  }
}
