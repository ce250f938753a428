package dev.modelops.runtime.inference;

import java.util.List;
import java.util.Map;

/**
 * A decoded inference request.
 *
 * @param outputs requested outputs, empty for all
 * @param binaryOutputs whether all outputs go back as binary data (binary_data_output)
 */
public record InferRequest(
    String id,
    Map<String, Object> parameters,
    List<Tensor> inputs,
    List<RequestedOutput> outputs,
    boolean binaryOutputs) {

  /** One requested output, and whether it goes back in binary. */
  public record RequestedOutput(String name, boolean binary) {}
}
