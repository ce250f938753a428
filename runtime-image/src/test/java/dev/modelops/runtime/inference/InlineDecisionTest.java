package dev.modelops.runtime.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.runtime.config.RuntimeConfig;
import dev.modelops.runtime.model.ServedModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which requests are answered on the event loop: small ones to a ready, fast model, and of those
 * only the ones no larger than the warm-up's run.
 */
class InlineDecisionTest {

  static RuntimeConfig.Inline limits(long maxRunMicros, int maxBodyBytes) {
    return new RuntimeConfig.Inline() {
      @Override
      public long maxRunMicros() {
        return maxRunMicros;
      }

      @Override
      public int maxBodyBytes() {
        return maxBodyBytes;
      }
    };
  }

  static ServedModel model(ServedModel.State state, Duration runTime) {
    // The MLP's warm-up: one row of 4 features.
    return new ServedModel("m", "1", state, Optional.empty(), "", new Warmup.Measured(runTime, 4));
  }

  static Tensor rows(int rows) {
    return Tensor.numeric(
        "input",
        Datatype.FP32,
        new long[] {rows, 4},
        ByteBuffer.allocateDirect(rows * 16).order(ByteOrder.LITTLE_ENDIAN));
  }

  @Test
  void smallRequestToAFastModelStaysOnTheEventLoop() {
    ServedModel fast = model(ServedModel.State.READY, Duration.ofNanos(40_000));
    assertThat(Inferencer.inline(fast, 1_000, limits(500, 65_536))).isTrue();
    assertThat(Inferencer.inline(fast, 65_536, limits(500, 65_536))).isTrue();
  }

  @Test
  void largeBodySlowModelNotReadyOrSwitchedOffGoToAWorker() {
    ServedModel fast = model(ServedModel.State.READY, Duration.ofNanos(40_000));
    assertThat(Inferencer.inline(fast, 65_537, limits(500, 65_536))).as("large body").isFalse();
    ServedModel slow = model(ServedModel.State.READY, Duration.ofNanos(500_001));
    assertThat(Inferencer.inline(slow, 100, limits(500, 65_536))).as("slow model").isFalse();
    ServedModel loading = model(ServedModel.State.LOADING, Duration.ZERO);
    assertThat(Inferencer.inline(loading, 100, limits(500, 65_536))).as("not ready").isFalse();
    assertThat(Inferencer.inline(fast, 100, limits(0, 65_536))).as("switched off").isFalse();
  }

  @Test
  void aRequestNoLargerThanTheWarmupRunsOnTheEventLoop() {
    ServedModel fast = model(ServedModel.State.READY, Duration.ofNanos(40_000));
    assertThat(Inferencer.runInline(fast, List.of(rows(1)))).isTrue();
  }

  @Test
  void aSmallBodyWithMoreRowsThanTheWarmupRunsOnAWorker() {
    ServedModel fast = model(ServedModel.State.READY, Duration.ofNanos(40_000));
    assertThat(Inferencer.runInline(fast, List.of(rows(2)))).as("two rows").isFalse();
    assertThat(Inferencer.runInline(fast, List.of(rows(1), rows(1))))
        .as("two inputs of one row each, eight elements")
        .isFalse();
    ServedModel loading = model(ServedModel.State.LOADING, Duration.ZERO);
    assertThat(Inferencer.runInline(loading, List.of(rows(1)))).as("not ready").isFalse();
  }
}
