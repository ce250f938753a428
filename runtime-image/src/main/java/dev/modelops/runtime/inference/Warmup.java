package dev.modelops.runtime.inference;

import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Runs with zeros before the server says ready, so the first caller does not pay for them. */
public final class Warmup {

  private static final int RUNS = 3;

  private Warmup() {}

  /**
   * What the warm-up measured: its fastest run, and the elements of all inputs of that run, the
   * largest input a request may have to run on the event loop.
   */
  public record Measured(Duration fastest, long elements) {
    public static final Measured NONE = new Measured(Duration.ZERO, 0);
  }

  /**
   * Runs the model a few times with one row of zeros and returns the fastest run: what one
   * request's model run costs, which decides whether requests are answered on the event loop.
   */
  public static Measured run(ModelSession session) throws OrtException {
    Map<String, Tensor> feed = new LinkedHashMap<>();
    long elements = 0;
    for (TensorSpec spec : session.inputs()) {
      long[] shape = spec.shape().clone();
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shape[i] < 0 ? 1 : shape[i];
      }
      int n = (int) Tensor.elementCount(shape);
      elements += n;
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
    var outputs = session.outputs().stream().map(TensorSpec::name).collect(Collectors.toSet());
    long fastest = Long.MAX_VALUE;
    for (int i = 0; i < RUNS; i++) {
      long start = System.nanoTime();
      session.run(feed, outputs);
      fastest = Math.min(fastest, System.nanoTime() - start);
    }
    return new Measured(Duration.ofNanos(fastest), elements);
  }
}
