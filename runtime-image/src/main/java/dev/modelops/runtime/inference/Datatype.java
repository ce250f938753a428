package dev.modelops.runtime.inference;

import ai.onnxruntime.OnnxJavaType;
import java.util.Arrays;
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

  public static Optional<Datatype> parse(String name) {
    return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
  }

  public static Optional<Datatype> of(OnnxJavaType ort) {
    if (ort == OnnxJavaType.UNKNOWN) {
      return Optional.empty();
    }
    return Arrays.stream(values()).filter(d -> d.ort == ort).findFirst();
  }
}
