package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.runtime.ModelProfiles;
import dev.modelops.runtime.ModelReady;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of a request with three inputs of three datatypes, sent 8 at a time so that bad
 * requests share batches with good ones: never a 5xx, and the valid request keeps its answer.
 */
@QuarkusTest
@TestProfile(ModelProfiles.MultiIo.class)
class MultiInputFuzzTest {

  static final String VALID =
      """
      {"inputs": [
        {"name": "a", "shape": [2, 2], "datatype": "INT64", "data": [1, 2, 3, 4]},
        {"name": "b", "shape": [2, 2], "datatype": "FP64", "data": [0.5, 0.5, 0.5, 0.5]},
        {"name": "mask", "shape": [2, 2], "datatype": "BOOL", "data": [true, false, false, true]}]}""";

  @BeforeEach
  void ready() {
    ModelReady.await();
  }

  @Test
  void concurrentMutationsNeverProduceAServerError() {
    Random random = new Random(MalformedRequestFuzzTest.SEED + 2);
    byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    int[] counts = new int[6];
    try {
      for (int round = 0; round < 40; round++) {
        List<byte[]> bodies = new ArrayList<>();
        List<CompletableFuture<Response>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          byte[] body = i == 0 ? valid : MalformedRequestFuzzTest.mutate(valid, random);
          bodies.add(body);
          answers.add(
              CompletableFuture.supplyAsync(
                  () -> given().body(body).post("/v2/models/multi/infer"), pool));
        }
        for (int i = 0; i < 8; i++) {
          Response r = answers.get(i).join();
          counts[r.statusCode() / 100]++;
          assertThat(r.statusCode())
              .as(
                  "round %d, request %d: %s -> %s",
                  round, i, new String(bodies.get(i), StandardCharsets.UTF_8), r.asString())
              .isLessThan(500);
          if (i == 0) {
            assertThat(r.jsonPath().getList("outputs.find { it.name == 'sum' }.data", Float.class))
                .as("round %d: the valid request's answer", round)
                .containsExactly(1.5f, 2.5f, 3.5f, 4.5f);
          }
        }
      }
    } finally {
      pool.shutdown();
    }
    assertThat(counts[4]).as("most mutations are rejected").isGreaterThan(100);
    given().get("/v2/health/ready").then().statusCode(200);
  }
}
