package dev.modelops.runtime.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.modelops.runtime.metrics.RuntimeMetrics;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a failed merged run leads to, counted in model runs of the pick model (a real ONNX Runtime
 * session, which fails on an index out of range): an ordinary failure is split to find the request
 * to blame, an {@link OutOfMemoryError} is not split, not run again and not made into a 500.
 *
 * <p>The first request runs alone and is held inside its run until three more wait in the queue, so
 * those three are merged into one run.
 */
@QuarkusTest
class BatchErrorTest {

  private static final Duration LONGEST = Duration.ofSeconds(30);

  @Inject RuntimeMetrics metrics;

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private OrtSession ort;
  private ModelSession pick;
  private final AtomicInteger runs = new AtomicInteger();
  private final CountDownLatch firstRunMayEnd = new CountDownLatch(1);

  @BeforeEach
  void open() throws Exception {
    ort = env.createSession("src/test/resources/models/pick.onnx", new OrtSession.SessionOptions());
    pick = new ModelSession(env, ort);
  }

  @AfterEach
  void close() throws Exception {
    firstRunMayEnd.countDown();
    ort.close();
  }

  @Test
  void anOrdinaryFailureOfAMergedRunIsSplitToFindTheRequestToBlame() throws Exception {
    try (Batcher batcher = batcher(feed -> false)) {
      List<CompletableFuture<Map<String, Tensor>>> merged = threeMerged(batcher, 9);

      assertThat(merged.get(0))
          .failsWithin(LONGEST)
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOf(InferenceException.class)
          .withMessageContaining("the model failed");
      assertThat(picked(merged.get(1))).isEqualTo(21f);
      assertThat(picked(merged.get(2))).isEqualTo(32f);
      assertThat(runs)
          .as("the first request, the merged run, then its halves: the bad request, the two good")
          .hasValue(4);
    }
  }

  @Test
  void anOutOfMemoryErrorInAMergedRunIsNeitherSplitNorRunAgain() throws Exception {
    try (Batcher batcher = batcher(feed -> rows(feed) > 1)) {
      List<CompletableFuture<Map<String, Tensor>>> merged = threeMerged(batcher, 1);

      for (CompletableFuture<Map<String, Tensor>> answer : merged) {
        assertThat(answer)
            .as("fails with the Error itself, not a 500 made of it")
            .failsWithin(LONGEST)
            .withThrowableOfType(ExecutionException.class)
            .havingCause()
            .isInstanceOf(OutOfMemoryError.class);
      }
      assertThat(runs).as("the first request and the merged run, nothing more").hasValue(2);

      // The runner the failed run held is free again: a later request is run.
      assertThat(picked(batcher.submit(request(4, 2), Set.of("picked")))).isEqualTo(42f);
      assertThat(runs).hasValue(3);
    }
  }

  @Test
  void anOutOfMemoryErrorOfALoneRequestGoesUpToItsCaller() throws Exception {
    firstRunMayEnd.countDown();
    try (Batcher batcher = batcher(feed -> feed.get("index").data().getLong(0) == 3)) {
      assertThatThrownBy(() -> batcher.submit(request(1, 3), Set.of("picked")))
          .isInstanceOf(OutOfMemoryError.class);
      assertThat(picked(batcher.submit(request(2, 1), Set.of("picked")))).isEqualTo(21f);
      assertThat(runs).hasValue(2);
    }
  }

  /**
   * A batcher over the pick model that counts its runs, holds the first one until the test lets it
   * end, and throws an OutOfMemoryError instead of running a feed that {@code outOfMemory} picks.
   */
  private Batcher batcher(Predicate<Map<String, Tensor>> outOfMemory) {
    return new Batcher(
        (feed, wanted) -> {
          if (runs.incrementAndGet() == 1) {
            firstRunMayEnd.await(LONGEST.toSeconds(), TimeUnit.SECONDS);
          }
          if (outOfMemory.test(feed)) {
            throw new OutOfMemoryError("Java heap space");
          }
          return pick.run(feed, wanted);
        },
        32,
        Duration.ofSeconds(5),
        1,
        Integer.MAX_VALUE,
        Duration.ofDays(1),
        metrics);
  }

  /**
   * Three requests (callers 1 to 3, the first picking index {@code firstIndex}) merged into one
   * run: they are queued while a fourth, caller 0, is held in its run.
   */
  private List<CompletableFuture<Map<String, Tensor>>> threeMerged(Batcher batcher, long firstIndex)
      throws Exception {
    CompletableFuture<Map<String, Tensor>> alone =
        CompletableFuture.supplyAsync(() -> batcher.submit(request(0, 0), Set.of("picked")))
            .thenCompose(f -> f);
    await("the first request in its run").atMost(LONGEST).until(() -> runs.get() == 1);
    List<CompletableFuture<Map<String, Tensor>>> queued =
        List.of(
            batcher.submit(request(1, firstIndex), Set.of("picked")),
            batcher.submit(request(2, 1), Set.of("picked")),
            batcher.submit(request(3, 2), Set.of("picked")));
    await("three requests queued").atMost(LONGEST).until(() -> batcher.queued() == 3);
    firstRunMayEnd.countDown();
    assertThat(picked(alone)).isEqualTo(0f);
    return queued;
  }

  /** Caller {@code c}'s row is {@code 10c .. 10c+3}; the model picks the value at {@code index}. */
  private static Map<String, Tensor> request(int c, long index) {
    ByteBuffer data = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 4; i++) {
      data.putFloat(c * 10 + i);
    }
    ByteBuffer picked = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
    picked.putLong(index);
    return Map.of(
        "data", Tensor.numeric("data", Datatype.FP32, new long[] {1, 4}, data.flip()),
        "index", Tensor.numeric("index", Datatype.INT64, new long[] {1, 1}, picked.flip()));
  }

  private static long rows(Map<String, Tensor> feed) {
    return feed.get("data").rows();
  }

  private static float picked(CompletableFuture<Map<String, Tensor>> answer) throws Exception {
    return answer.get(LONGEST.toSeconds(), TimeUnit.SECONDS).get("picked").data().getFloat(0);
  }
}
