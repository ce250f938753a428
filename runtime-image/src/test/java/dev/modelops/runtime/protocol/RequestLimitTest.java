package dev.modelops.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The body limit must be one a request can have: Quarkus refuses anything past 2047 MiB itself. */
class RequestLimitTest {

  @Test
  void limitsARequestCanReachAreAccepted() {
    assertThatCode(() -> InferRoute.checkLimit(67_108_864)).doesNotThrowAnyException();
    assertThatCode(() -> InferRoute.checkLimit(InferRoute.MAX_LIMIT)).doesNotThrowAnyException();
  }

  @Test
  void aLimitPastQuarkusCeilingStopsTheStartWithAMessage() {
    assertThatThrownBy(() -> InferRoute.checkLimit(3L << 30))
        .hasMessage(
            "modelops.max-request-bytes is 3221225472; it must be from 1 to 2146435072 (2047 MiB)");
    assertThatThrownBy(() -> InferRoute.checkLimit(0)).hasMessageContaining("must be from 1");
  }
}
