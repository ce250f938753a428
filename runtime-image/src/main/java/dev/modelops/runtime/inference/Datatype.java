package dev.modelops.runtime.inference;

import ai.onnxruntime.OnnxJavaType;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The V2 protocol's tensor datatypes, their size in bytes, and the ONNX Runtime Java type of each.
 * ONNX Runtime's Java API has no UINT16, UINT32 or UINT64 tensors: the protocol reads and writes
 * them, and a model using them is refused at load with that reason.
 */
public enum Datatype {
  BOOL(1, OnnxJavaType.BOOL),
  UINT8(1, OnnxJavaType.UINT8),
  UINT16(2, OnnxJavaType.UNKNOWN),
  UINT32(4, OnnxJavaType.UNKNOWN),
  UINT64(8, OnnxJavaType.UNKNOWN),
  INT8(1, OnnxJavaType.INT8),
  INT16(2, OnnxJavaType.INT16),
  INT32(4, OnnxJavaType.INT32),
  INT64(8, OnnxJavaType.INT64),
  FP16(2, OnnxJavaType.FLOAT16),
  FP32(4, OnnxJavaType.FLOAT),
  FP64(8, OnnxJavaType.DOUBLE),
  BYTES(0, OnnxJavaType.STRING);

  /** Bytes per element; 0 for BYTES, whose elements have their own lengths. */
  public final int size;

  public final OnnxJavaType ort;

  Datatype(int size, OnnxJavaType ort) {
    this.size = size;
    this.ort = ort;
  }

  // Looked up for every tensor of every request: a stream over values() per lookup was about 2% of
  // a small request's CPU (docs/benchmarks.md, "Where one request's time goes").
  private static final Map<String, Datatype> BY_NAME = new HashMap<>();
  private static final Map<OnnxJavaType, Datatype> BY_ORT = new EnumMap<>(OnnxJavaType.class);

  static {
    for (Datatype d : values()) {
      BY_NAME.put(d.name(), d);
      if (d.ort != OnnxJavaType.UNKNOWN) {
        BY_ORT.putIfAbsent(d.ort, d);
      }
    }
  }

  public static Optional<Datatype> parse(String name) {
    return Optional.ofNullable(name == null ? null : BY_NAME.get(name));
  }

  public static Optional<Datatype> of(OnnxJavaType ort) {
    return Optional.ofNullable(ort == null ? null : BY_ORT.get(ort));
  }
}
