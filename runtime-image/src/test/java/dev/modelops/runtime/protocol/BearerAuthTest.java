package dev.modelops.runtime.protocol;

import static dev.modelops.runtime.ModelProfiles.TOKEN;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.modelops.runtime.ModelProfiles;
import dev.modelops.runtime.Scrape;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server with a bearer token: the V2 endpoints answer only requests that bear it, the others get
 * a 401 with a V2 error body and {@code WWW-Authenticate: Bearer}; the health endpoints, the drift
 * report and the metrics stay open; the token is never logged.
 */
@QuarkusTest
@TestProfile(ModelProfiles.Auth.class)
class BearerAuthTest {

  static final String ROW =
      "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\","
          + " \"data\": [0.1, 0.2, 0.3, 0.4]}]}";

  @BeforeEach
  void ready() {
    // The readiness endpoint needs no token: this wait is part of the test.
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> given().get("/v2/health/ready").statusCode() == 200);
  }

  static RequestSpecification withToken() {
    return given().header("Authorization", "Bearer " + TOKEN);
  }

  @Test
  void requestsWithoutTheTokenAreRefusedWith401AndAV2ErrorBody() {
    double before = Scrape.value("modelops_inference_requests_total", "outcome=\"unauthorized\"");
    refused(given().body(ROW).post("/v2/models/mlp/infer"), "asks for a bearer token");
    refused(
        given()
            .header("Authorization", "Bearer not-" + TOKEN)
            .body(ROW)
            .post("/v2/models/mlp/infer"),
        "is not the one this server takes");
    refused(
        given().header("Authorization", "Bearer " + TOKEN + "x").get("/v2/models/mlp"),
        "is not the one this server takes");
    refused(
        given().header("Authorization", "Basic " + TOKEN).post("/v2/models/mlp/infer"),
        "takes bearer tokens only");
    refused(
        given().header("Authorization", TOKEN).get("/v2/models/mlp/versions/1"),
        "takes bearer tokens only");
    refused(given().get("/v2"), "asks for a bearer token");
    refused(given().get("/v2/models/mlp/ready"), "asks for a bearer token");
    refused(given().get("/v2/models/mlp/versions/1/ready"), "asks for a bearer token");
    refused(given().get("/v2/models/mlp/versions/1/infer"), "asks for a bearer token");
    refused(given().get("/v2/no-such-endpoint"), "asks for a bearer token");
    // A path that only normalises to an open one is what it normalises to.
    refused(given().urlEncodingEnabled(false).get("/v2/health/../models/mlp"), "asks for a bearer");
    assertThat(
            Scrape.value("modelops_inference_requests_total", "outcome=\"unauthorized\"") - before)
        .as("the refused infer requests, counted as their own outcome, not as server errors")
        .isEqualTo(3);
  }

  private static void refused(Response response, String why) {
    response
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer")
        .contentType("application/json")
        .body("error", org.hamcrest.Matchers.containsString(why));
    assertThat(response.asString()).doesNotContain(TOKEN);
  }

  @Test
  void theTokenOpensInferenceJsonAndBinaryAndMetadata() {
    withToken()
        .body(ROW)
        .post("/v2/models/mlp/infer")
        .then()
        .statusCode(200)
        .body("model_name", equalTo("mlp"));
    // The scheme is case-insensitive (RFC 9110); a second request on the same terms.
    given()
        .header("Authorization", "bearer " + TOKEN)
        .body(ROW)
        .post("/v2/models/mlp/versions/1/infer")
        .then()
        .statusCode(200);
    withToken().get("/v2/models/mlp").then().statusCode(200).body("name", equalTo("mlp"));
    withToken().get("/v2/models/mlp/ready").then().statusCode(200);
    withToken().get("/v2").then().statusCode(200);

    byte[] json =
        ("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\","
                + " \"parameters\": {\"binary_data_size\": 16}}]}")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(json.length + 16).order(ByteOrder.LITTLE_ENDIAN);
    body.put(json);
    for (float f : new float[] {0.1f, 0.2f, 0.3f, 0.4f}) {
      body.putFloat(f);
    }
    withToken()
        .header("Inference-Header-Content-Length", json.length)
        .contentType("application/octet-stream")
        .body(body.array())
        .post("/v2/models/mlp/infer")
        .then()
        .statusCode(200);
    given()
        .header("Inference-Header-Content-Length", json.length)
        .contentType("application/octet-stream")
        .body(body.array())
        .post("/v2/models/mlp/infer")
        .then()
        .statusCode(401);
    assertThat(
            Scrape.value(
                "modelops_inference_requests_total",
                "outcome=\"unauthorized\",protocol=\"binary\""))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void healthDriftAndMetricsNeedNoToken() {
    given().get("/v2/health/live").then().statusCode(200).body("live", equalTo(true));
    given().get("/v2/health/ready").then().statusCode(200).body("ready", equalTo(true));
    given().get("/q/health/live").then().statusCode(200);
    given().get("/q/health/ready").then().statusCode(200);
    given().get("/q/metrics").then().statusCode(200);
    // Drift is off in this profile: the report says so, without a token.
    given().get("/v2/models/mlp/drift").then().statusCode(200);
    given().get("/v2/models/mlp/versions/1/drift").then().statusCode(200);
  }

  @Test
  void theTokenIsNeverLogged() throws Exception {
    given().header("Authorization", "Bearer wrong").get("/v2/models/mlp").then().statusCode(401);
    withToken().get("/v2/models/mlp").then().statusCode(200);
    Path log = Path.of("target/auth-test.log");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.readString(log).contains("authentication: the V2 endpoints ask for"));
    assertThat(Files.readString(log)).doesNotContain(TOKEN);
  }
}
