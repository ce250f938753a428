package dev.modelops.runtime.protocol;

import static dev.modelops.runtime.ModelProfiles.TOKEN;
import static io.restassured.RestAssured.given;

import dev.modelops.runtime.ModelProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** With {@code modelops.auth.protect-metrics}, {@code /q/metrics} asks for the token too. */
@QuarkusTest
@TestProfile(ModelProfiles.AuthMetrics.class)
class BearerAuthMetricsTest {

  @Test
  void metricsAskForTheTokenAndHealthStaysOpen() {
    given()
        .get("/q/metrics")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", "Bearer")
        .body("error", org.hamcrest.Matchers.containsString("asks for a bearer token"));
    given().header("Authorization", "Bearer " + TOKEN).get("/q/metrics").then().statusCode(200);
    given().get("/q/health/live").then().statusCode(200);
    given().get("/v2/health/live").then().statusCode(200);
  }
}
