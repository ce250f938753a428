package dev.modelops.runtime.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor on its way in or out of a model: row-major elements, little-endian in a buffer (or byte
 * strings for BYTES), the layout of the V2 binary extension.
 */
public record Tensor(
    String name, Datatype datatype, long[] shape, ByteBuffer data, byte[][] strings) {

  public static Tensor numeric(String name, Datatype datatype, long[] shape, ByteBuffer data) {
    return new Tensor(name, datatype, shape, data.order(ByteOrder.LITTLE_ENDIAN), null);
  }

  public static Tensor bytes(String name, long[] shape, byte[][] strings) {
    return new Tensor(name, Datatype.BYTES, shape, null, strings);
  }

  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public long elementCount() {
    return elementCount(shape);
  }

  /** Size of the first dimension: the rows, for batching. */
  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  @Override
  public String toString() {
    return "Tensor[" + name + " " + datatype + " " + Arrays.toString(shape) + "]";
  }
}
