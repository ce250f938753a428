package dev.modelops.runtime.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Closing the session at shutdown: ONNX Runtime aborts the whole process when a session is closed
 * under a run, so a close waits for the run going on (long_run.onnx, about a second) and refuses
 * later runs with a 503; a run that outlasts the wait keeps the session open and still gets its
 * answer.
 */
class SessionCloseTest {

  private static final float[] X = {1.5f, -2f, 3.25f, 0f};

  private ModelSession model;

  @BeforeEach
  void open() throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    model =
        new ModelSession(
            env, env.createSession("src/test/resources/models/long_run.onnx", options));
  }

  @Test
  void closeWaitsForTheRunGoingOnThenRefusesRuns() throws Exception {
    CompletableFuture<Map<String, Tensor>> run = runInBackground();
    await().atMost(Duration.ofSeconds(10)).until(() -> model.runs() == 1);

    assertThat(model.close(Duration.ofSeconds(60))).as("closed once the run ended").isTrue();

    assertDoubled(run.join());
    assertRefused();
  }

  @Test
  void aRunLongerThanTheWaitKeepsTheSessionOpen() throws Exception {
    CompletableFuture<Map<String, Tensor>> run = runInBackground();
    await().atMost(Duration.ofSeconds(10)).until(() -> model.runs() == 1);

    assertThat(model.close(Duration.ofMillis(20))).as("closed under the run").isFalse();

    assertDoubled(run.join());
    assertRefused();
    assertThat(model.close(Duration.ofSeconds(60))).isTrue();
  }

  private CompletableFuture<Map<String, Tensor>> runInBackground() {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return model.run(Map.of("x", input()), Set.of("y"));
          } catch (OrtException e) {
            throw new CompletionException(e);
          }
        });
  }

  private void assertRefused() {
    assertThatThrownBy(() -> model.run(Map.of("x", input()), Set.of("y")))
        .isInstanceOfSatisfying(
            InferenceException.class, e -> assertThat(e.status).as(e.getMessage()).isEqualTo(503));
  }

  private static Tensor input() {
    ByteBuffer data = ByteBuffer.allocateDirect(4 * X.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : X) {
      data.putFloat(v);
    }
    return Tensor.numeric("x", Datatype.FP32, new long[] {1, X.length}, data.flip());
  }

  private static void assertDoubled(Map<String, Tensor> out) {
    ByteBuffer y = out.get("y").data();
    for (float v : X) {
      assertThat(y.getFloat()).isEqualTo(2 * v);
    }
  }
}
