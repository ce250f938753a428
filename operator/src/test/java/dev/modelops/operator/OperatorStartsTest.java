package dev.modelops.operator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The operator application boots and reports itself alive. */
@QuarkusTest
class OperatorStartsTest {

  @Test
  void reportsLiveness() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }
}
