package dev.modelops.runtime.inference;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.modelops.runtime.ModelReady;
import dev.modelops.runtime.metrics.RuntimeMetrics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrent callers are merged into batches, and each gets exactly its own rows back: compared
 * with the same rows run alone through a separate ONNX Runtime session.
 */
@QuarkusTest
class BatchingTest {

  @Inject RuntimeMetrics metrics;

  @BeforeEach
  void ready() {
    ModelReady.await();
  }

  static float[][] rowsFor(int caller) {
    int n = 1 + caller % 3;
    float[][] rows = new float[n][4];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < 4; c++) {
        rows[r][c] = (caller * 7 + r * 3 + c) % 11 / 5f - 1f;
      }
    }
    return rows;
  }

  static String request(float[][] rows) {
    StringBuilder data = new StringBuilder();
    for (float[] row : rows) {
      for (float v : row) {
        data.append(data.isEmpty() ? "" : ",").append(v);
      }
    }
    return "{\"inputs\": [{\"name\": \"input\", \"shape\": [%d, 4], \"datatype\": \"FP32\", \"data\": [%s]}]}"
        .formatted(rows.length, data);
  }

  static float[] direct(OrtSession session, OrtEnvironment env, float[][] rows) throws Exception {
    ModelSession model = new ModelSession(env, session);
    Map<String, Tensor> out = model.run(Map.of("input", input(rows)), Set.of("probabilities"));
    ByteBuffer result = out.get("probabilities").data();
    float[] values = new float[rows.length * 3];
    for (int i = 0; i < values.length; i++) {
      values[i] = result.getFloat();
    }
    return values;
  }

  @Test
  void concurrentCallersGetTheirOwnRows() throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int callers = 64;
    List<float[]> expected = new ArrayList<>();
    try (OrtSession session =
        env.createSession("src/test/resources/models/mlp.onnx", new OrtSession.SessionOptions())) {
      for (int i = 0; i < callers; i++) {
        expected.add(direct(session, env, rowsFor(i)));
      }
    }
    double batchesBefore = batchRuns();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      for (int round = 0; round < 5; round++) {
        List<CompletableFuture<List<Float>>> answers = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
          String body = request(rowsFor(i));
          answers.add(
              CompletableFuture.supplyAsync(
                  () ->
                      given()
                          .body(body)
                          .post("/v2/models/mlp/infer")
                          .then()
                          .statusCode(200)
                          .extract()
                          .jsonPath()
                          .getList("outputs[0].data", Float.class),
                  pool));
        }
        for (int i = 0; i < callers; i++) {
          List<Float> got = answers.get(i).join();
          float[] want = expected.get(i);
          assertThat(got).as("caller %d", i).hasSize(want.length);
          for (int k = 0; k < want.length; k++) {
            assertThat(got.get(k))
                .as("caller %d value %d", i, k)
                .isCloseTo(want[k], org.assertj.core.data.Offset.offset(1e-5f));
          }
        }
      }
    } finally {
      pool.shutdown();
    }
    double requestsMerged = requestsPerRun();
    assertThat(batchRuns() - batchesBefore).as("model runs").isLessThan(5 * callers);
    assertThat(requestsMerged)
        .as("largest number of requests merged into one run")
        .isGreaterThan(1);
  }

  @Test
  void aLoneRequestRunsAtOnceInTheCallersThread() throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    float[][] rows = rowsFor(2);
    try (OrtSession session =
            env.createSession(
                "src/test/resources/models/mlp.onnx", new OrtSession.SessionOptions());
        Batcher batcher =
            new Batcher(new ModelSession(env, session), 32, Duration.ofSeconds(5), 1, metrics)) {
      float[] want = direct(session, env, rows);
      CompletableFuture<Map<String, Tensor>> answer =
          batcher.submit(Map.of("input", input(rows)), Set.of("probabilities"));
      assertThat(answer).as("answered before submit returned: no hop to the batcher").isDone();
      ByteBuffer got = answer.join().get("probabilities").data();
      for (float v : want) {
        assertThat(got.getFloat()).isCloseTo(v, org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
  }

  static Tensor input(float[][] rows) {
    ByteBuffer b = ByteBuffer.allocateDirect(rows.length * 16).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : rows) {
      for (float v : row) {
        b.putFloat(v);
      }
    }
    return Tensor.numeric("input", Datatype.FP32, new long[] {rows.length, 4}, b.flip());
  }

  static double batchRuns() {
    return metric("modelops_batch_requests_count\\{[^}]*model=\"mlp\"[^}]*} ([0-9.E]+)");
  }

  static double requestsPerRun() {
    return metric("modelops_batch_requests_max\\{[^}]*model=\"mlp\"[^}]*} ([0-9.E]+)");
  }

  static double metric(String pattern) {
    Matcher m = Pattern.compile(pattern).matcher(given().get("/q/metrics").asString());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
