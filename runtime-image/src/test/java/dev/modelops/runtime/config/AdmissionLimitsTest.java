package dev.modelops.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The admission bounds: derived from the heap when unset, and a body never past the bytes bound.
 */
class AdmissionLimitsTest {

  private static final long MIB = 1024 * 1024;
  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

  private static AdmissionLimits derived(long maxRequestBytes, long heap) {
    return AdmissionLimits.of(
        OptionalLong.empty(), OptionalInt.empty(), TEN_SECONDS, maxRequestBytes, heap);
  }

  @Test
  void unsetBoundsAreDerivedFromTheHeap() {
    AdmissionLimits limits = derived(64 * MIB, 1024 * MIB);
    assertThat(limits.maxInFlightBytes()).as("an eighth of the heap").isEqualTo(128 * MIB);
    assertThat(limits.maxQueue()).as("one per MiB of heap").isEqualTo(1024);
    assertThat(limits.maxRequestBytes()).isEqualTo(64 * MIB);
    assertThat(derived(MIB, 8 * MIB).maxQueue()).as("at least 16").isEqualTo(16);
    assertThat(derived(MIB, 64 * 1024 * MIB).maxQueue()).as("at most 4096").isEqualTo(4096);
  }

  @Test
  void aBodyLargerThanTheBytesInFlightIsRefusedAsTooLarge() {
    AdmissionLimits limits = derived(64 * MIB, 192 * MIB);
    assertThat(limits.maxInFlightBytes()).isEqualTo(24 * MIB);
    assertThat(limits.maxRequestBytes()).isEqualTo(24 * MIB);
  }

  @Test
  void setBoundsAreKept() {
    AdmissionLimits limits =
        AdmissionLimits.of(
            OptionalLong.of(5000), OptionalInt.of(3), Duration.ofMillis(100), 4000, MIB);
    assertThat(limits).isEqualTo(new AdmissionLimits(5000, 3, Duration.ofMillis(100), 4000));
    assertThat(AdmissionLimits.text(Duration.ofMillis(100))).isEqualTo("100ms");
    assertThat(AdmissionLimits.text(TEN_SECONDS)).isEqualTo("10s");
  }

  @Test
  void boundsThatAdmitNothingStopTheStart() {
    assertThatThrownBy(
            () ->
                AdmissionLimits.of(OptionalLong.of(0), OptionalInt.empty(), TEN_SECONDS, MIB, MIB))
        .hasMessageContaining("must be positive");
    assertThatThrownBy(
            () ->
                AdmissionLimits.of(
                    OptionalLong.empty(), OptionalInt.empty(), Duration.ZERO, MIB, MIB))
        .hasMessageContaining("MODELOPS_ADMISSION_QUEUE_DEADLINE (0s)");
  }
}
