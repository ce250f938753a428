package dev.modelops.runtime.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.modelops.runtime.ModelProfiles;
import dev.modelops.runtime.ModelReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request that makes the model fail fails alone: the good requests it was batched with still get
 * their answers. The pick model batches and fails on an index out of range.
 */
@QuarkusTest
@TestProfile(ModelProfiles.Pick.class)
class BatchIsolationTest {

  @BeforeEach
  void ready() {
    ModelReady.await();
  }

  static String request(int caller, long index) {
    return """
        {"inputs": [
          {"name": "data", "shape": [1, 4], "datatype": "FP32", "data": [%d, %d, %d, %d]},
          {"name": "index", "shape": [1, 1], "datatype": "INT64", "data": [%d]}]}
        """
        .formatted(caller * 10, caller * 10 + 1, caller * 10 + 2, caller * 10 + 3, index);
  }

  @Test
  void oneFailingRequestDoesNotFailItsBatch() {
    int callers = 16;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      // Until a failing request has shared a merged run at least once (and at least 10 rounds).
      for (int round = 0; round < 10 || (round < 100 && splits() == 0); round++) {
        int bad = round % callers;
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
          String body = request(i, i == bad ? 9 : i % 4);
          answers.add(
              CompletableFuture.supplyAsync(
                  () -> given().body(body).post("/v2/models/pick/infer"), pool));
        }
        for (int i = 0; i < callers; i++) {
          Response answer = answers.get(i).join();
          if (i == bad) {
            answer.then().statusCode(500).body("error", containsString("the model failed"));
          } else {
            answer.then().statusCode(200);
            assertThat(answer.jsonPath().getList("outputs[0].data", Float.class))
                .as("round %d caller %d", round, i)
                .containsExactly((float) (i * 10 + i % 4));
          }
        }
      }
    } finally {
      pool.shutdown();
    }
    assertThat(splits())
        .as("merged runs that failed and were split: the bad request did share a batch")
        .isPositive();
  }

  static double splits() {
    return BatchingTest.metric("modelops_batch_splits_total\\{[^}]*} ([0-9.E]+)");
  }

  @Test
  void inputsThatDisagreeOnTheBatchDimensionAreA400() {
    given()
        .body(
            """
            {"inputs": [
              {"name": "data", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6, 7, 8]},
              {"name": "index", "shape": [1, 1], "datatype": "INT64", "data": [0]}]}
            """)
        .post("/v2/models/pick/infer")
        .then()
        .statusCode(400)
        .body("error", containsString("the inputs must agree on their first (batch) dimension"))
        .body("error", containsString("data=2"))
        .body("error", containsString("index=1"));
  }
}
