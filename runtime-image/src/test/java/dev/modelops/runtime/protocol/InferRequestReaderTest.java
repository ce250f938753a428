package dev.modelops.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelops.runtime.inference.InferenceException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Decoding stops at the first value past the declared shape, before it reads the rest. */
class InferRequestReaderTest {

  /**
   * The values after the fifth are not JSON: a reader that went on would call the body malformed;
   * one that stopped at the fifth names the shape.
   */
  @Test
  void dataPastTheShapeIsRefusedAtTheFirstValueTooMany() {
    String body =
        "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\","
            + " \"data\": [1, 2, 3, 4, 5, this is not JSON";
    assertThatThrownBy(() -> InferRequestReader.read(body.getBytes(StandardCharsets.UTF_8), null))
        .isInstanceOf(InferenceException.class)
        .hasMessage("input 'input' has more than 4 elements; shape [1, 4] needs 4");
  }

  @Test
  void stringsPastTheShapeAreRefusedToo() {
    String body =
        "{\"inputs\": [{\"name\": \"s\", \"shape\": [2], \"datatype\": \"BYTES\","
            + " \"data\": [\"a\", \"b\", \"c\", ???";
    assertThatThrownBy(() -> InferRequestReader.read(body.getBytes(StandardCharsets.UTF_8), null))
        .isInstanceOf(InferenceException.class)
        .hasMessage("input 's' has more than 2 elements; shape [2] needs 2");
  }
}
