package dev.modelops.runtime.protocol;

import dev.modelops.runtime.inference.InferenceException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** BYTES elements in the binary extension: each a 4-byte little-endian length, then its bytes. */
final class BinaryStrings {

  private BinaryStrings() {}

  static byte[][] decode(String input, ByteBuffer data, long elements) {
    ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (elements > in.remaining() / 4 + 1) {
      throw InferenceException.badRequest(
          "input '" + input + "': binary data too short for " + elements + " BYTES elements");
    }
    byte[][] out = new byte[(int) elements][];
    for (int i = 0; i < elements; i++) {
      if (in.remaining() < 4) {
        throw InferenceException.badRequest(
            "input '" + input + "': binary data ends in the length of element " + i);
      }
      int length = in.getInt();
      if (length < 0 || length > in.remaining()) {
        throw InferenceException.badRequest(
            "input '"
                + input
                + "': element "
                + i
                + " claims "
                + length
                + " bytes, "
                + in.remaining()
                + " remain");
      }
      out[i] = new byte[length];
      in.get(out[i]);
    }
    if (in.hasRemaining()) {
      throw InferenceException.badRequest(
          "input '"
              + input
              + "': "
              + in.remaining()
              + " bytes left after "
              + elements
              + " BYTES elements");
    }
    return out;
  }

  static byte[] encode(byte[][] strings) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer length = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] s : strings) {
      out.writeBytes(length.clear().putInt(s.length).array());
      out.writeBytes(s);
    }
    return out.toByteArray();
  }
}
