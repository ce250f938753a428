package dev.modelops.runtime;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import org.awaitility.Awaitility;

/** The model loads in the background after start: tests that infer wait for readiness first. */
public final class ModelReady {

  private ModelReady() {}

  public static void await() {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> given().get("/v2/health/ready").statusCode() == 200);
  }
}
