package dev.modelops.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.runtime.inference.InferenceException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Decoding stops at the first value past the declared shape, before it reads the rest; parameters
 * are read as Jackson's untyped binding reads them.
 */
class InferRequestReaderTest {

  /**
   * Parameters are read from the tokens, not bound by an ObjectMapper; they must come out as the
   * ObjectMapper gave them, types included (an Integer is not equal to a Long of the same value).
   */
  @Test
  void parametersAreWhatJacksonsUntypedBindingGives() throws Exception {
    String parameters =
        "{\"small\": 7, \"large\": 8000000000, \"huge\": 123456789012345678901234567890,"
            + " \"negative\": -3, \"fraction\": 0.25, \"exponent\": 1e3, \"text\": \"a\\u00e9\","
            + " \"yes\": true, \"no\": false, \"nothing\": null, \"empty\": {}, \"list\": [],"
            + " \"nested\": {\"b\": [1, 2.5, \"x\", [null, {\"c\": false}]], \"a\": {}},"
            + " \"twice\": 1, \"twice\": 2}";
    String body =
        "{\"parameters\": "
            + parameters
            + ", \"inputs\": [{\"name\": \"input\", \"shape\": [1, 1], \"datatype\": \"FP32\","
            + " \"parameters\": "
            + parameters
            + ", \"data\": [1]}]}";
    @SuppressWarnings("unchecked")
    Map<String, Object> expected = new ObjectMapper().readValue(parameters, Map.class);

    var request = InferRequestReader.read(body.getBytes(StandardCharsets.UTF_8), null);

    assertThat(request.parameters()).isEqualTo(expected);
    assertThat(request.parameters().keySet()).containsExactlyElementsOf(expected.keySet());
    assertThat(request.parameters().get("large")).isInstanceOf(Long.class);
    assertThat(request.parameters().get("exponent")).isEqualTo(1000.0);
  }

  @Test
  void parametersCutShortAreMalformed() {
    String body = "{\"parameters\": {\"a\": [1, {\"b\": ";
    assertThatThrownBy(() -> InferRequestReader.read(body.getBytes(StandardCharsets.UTF_8), null))
        .isInstanceOf(InferenceException.class)
        .hasMessageStartingWith("malformed JSON");
  }

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
