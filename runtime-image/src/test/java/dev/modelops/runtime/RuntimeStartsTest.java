package dev.modelops.runtime;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The inference runtime boots and reports itself alive. */
@QuarkusTest
class RuntimeStartsTest {

  @Test
  void reportsLiveness() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }
}
