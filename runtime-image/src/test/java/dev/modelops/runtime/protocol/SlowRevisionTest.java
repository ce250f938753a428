package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.modelops.runtime.ModelProfiles;
import dev.modelops.runtime.ModelReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** slow.onnx, the slow revision canary tests deploy, answers like mlp.onnx: 3 probabilities. */
@QuarkusTest
@TestProfile(ModelProfiles.Slow.class)
class SlowRevisionTest {

  @BeforeEach
  void modelReady() {
    ModelReady.await();
  }

  @Test
  void answersTheMlpsShape() {
    given()
        .body(
            """
            {"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32",
              "data": [0.1, 0.2, 0.3, 0.4]}]}
            """)
        .post("/v2/models/slow/infer")
        .then()
        .statusCode(200)
        .body("outputs[0].name", equalTo("probabilities"))
        .body("outputs[0].shape", contains(1, 3))
        .body("outputs[0].data", hasSize(3));
  }
}
