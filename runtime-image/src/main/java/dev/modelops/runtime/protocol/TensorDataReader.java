package dev.modelops.runtime.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.modelops.runtime.inference.Datatype;
import dev.modelops.runtime.inference.InferenceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a JSON "data" array, flat or nested, straight into little-endian bytes of its datatype: no
 * boxed number per element. Range and kind of every value are checked on the way, and reading stops
 * at the first value past the element count of the declared shape, so a body never grows a buffer
 * beyond what the shape said.
 */
final class TensorDataReader {

  private final String input;
  private final Datatype type;
  private final long expected;
  private final String shape;
  private ByteBuffer out;
  private final List<byte[]> strings = new ArrayList<>();
  private long count;

  TensorDataReader(String input, Datatype type, long[] shape, long expectedElements) {
    this.input = input;
    this.type = type;
    this.expected = expectedElements;
    this.shape = Arrays.toString(shape);
    int capacity = (int) Math.min(Math.max(expectedElements, 16) * Math.max(type.size, 1), 1 << 20);
    this.out =
        type == Datatype.BYTES
            ? null
            : ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Reads the array the parser stands on (its START_ARRAY token). */
  void read(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw bad("'data' must be an array");
    }
    int depth = 0;
    JsonToken t = p.currentToken();
    do {
      switch (t) {
        case START_ARRAY -> depth++;
        case END_ARRAY -> depth--;
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_STRING ->
            value(p, t);
        default ->
            throw bad("'data' holds a " + t.asString() + " where a value of " + type + " belongs");
      }
      if (depth > 0) {
        t = p.nextToken();
        if (t == null) {
          throw bad("'data' ends before its array closes");
        }
      }
    } while (depth > 0);
  }

  long count() {
    return count;
  }

  ByteBuffer bytes() {
    return out.flip();
  }

  byte[][] strings() {
    return strings.toArray(new byte[0][]);
  }

  private void value(JsonParser p, JsonToken t) throws IOException {
    if (count == expected) {
      throw InferenceException.badRequest(
          "input '%s' has more than %d elements; shape %s needs %d"
              .formatted(input, expected, shape, expected));
    }
    count++;
    if (type == Datatype.BYTES) {
      if (t != JsonToken.VALUE_STRING) {
        throw bad("BYTES data must be strings, got " + p.getText());
      }
      strings.add(p.getText().getBytes(StandardCharsets.UTF_8));
      return;
    }
    ensure(type.size);
    switch (type) {
      case BOOL -> {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw bad("BOOL data must be true or false, got " + p.getText());
        }
        out.put((byte) (t == JsonToken.VALUE_TRUE ? 1 : 0));
      }
      case FP32 -> out.putFloat(single(p, t));
      case FP64 -> out.putDouble(number(p, t));
      case FP16 -> out.putShort(Float.floatToFloat16((float) number(p, t)));
      case INT8 -> out.put((byte) integer(p, t, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case UINT8 -> out.put((byte) integer(p, t, 0, 255));
      case INT16 -> out.putShort((short) integer(p, t, Short.MIN_VALUE, Short.MAX_VALUE));
      case UINT16 -> out.putShort((short) integer(p, t, 0, 65535));
      case INT32 -> out.putInt((int) integer(p, t, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case UINT32 -> out.putInt((int) integer(p, t, 0, 4294967295L));
      case INT64 -> out.putLong(integer(p, t, Long.MIN_VALUE, Long.MAX_VALUE));
      case UINT64 -> out.putLong(unsigned64(p, t));
      default -> throw bad("unsupported datatype " + type);
    }
  }

  private float single(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw bad(type + " data must be numbers, got " + p.getText());
    }
    return p.getFloatValue();
  }

  private double number(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw bad(type + " data must be numbers, got " + p.getText());
    }
    return p.getDoubleValue();
  }

  private long integer(JsonParser p, JsonToken t, long min, long max) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw bad(type + " data must be integers, got " + p.getText());
    }
    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw bad("value " + p.getText() + " is out of range for " + type);
    }
    long v = p.getLongValue();
    if (v < min || v > max) {
      throw bad("value " + v + " is out of range for " + type);
    }
    return v;
  }

  private long unsigned64(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw bad("UINT64 data must be integers, got " + p.getText());
    }
    var v = p.getBigIntegerValue();
    if (v.signum() < 0 || v.bitLength() > 64) {
      throw bad("value " + v + " is out of range for UINT64");
    }
    return v.longValue();
  }

  private void ensure(int bytes) {
    if (out.remaining() < bytes) {
      ByteBuffer bigger =
          ByteBuffer.allocateDirect(Math.max(out.capacity() * 2, out.capacity() + bytes))
              .order(ByteOrder.LITTLE_ENDIAN);
      bigger.put(out.flip());
      out = bigger;
    }
  }

  private InferenceException bad(String message) {
    return InferenceException.badRequest("input '" + input + "': " + message);
  }
}
