package dev.modelops.runtime.inference;

import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** One run with zeros before the server says ready, so the first caller does not pay for it. */
public final class Warmup {

  private Warmup() {}

  public static void run(ModelSession session) throws OrtException {
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (TensorSpec spec : session.inputs()) {
      long[] shape = spec.shape().clone();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? 1 : shape[i];
      }
      int n = (int) Tensor.elementCount(shape);
      feed.put(
          spec.name(),
          spec.datatype() == Datatype.BYTES
              ? Tensor.bytes(spec.name(), shape, new byte[n][0])
              : Tensor.numeric(
                  spec.name(),
                  spec.datatype(),
                  shape,
                  ByteBuffer.allocateDirect(n * spec.datatype().size)));
    }
    session.run(feed, session.outputs().stream().map(TensorSpec::name).collect(Collectors.toSet()));
  }
}
