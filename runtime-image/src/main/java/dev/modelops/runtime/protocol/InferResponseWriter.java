package dev.modelops.runtime.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.runtime.inference.Datatype;
import dev.modelops.runtime.inference.InferRequest;
import dev.modelops.runtime.inference.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Encodes a V2 inference response: JSON data, or binary data after the JSON for outputs that ask.
 */
public final class InferResponseWriter {

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .build()
          .setCodec(new ObjectMapper());

  /** The body, and the JSON part's length when binary data follows it (else null). */
  public record Encoded(byte[] body, Integer jsonLength) {}

  private InferResponseWriter() {}

  public static Encoded write(
      String model, String version, InferRequest request, Map<String, Tensor> outputs) {
    ByteArrayOutputStream json = new ByteArrayOutputStream(256);
    List<byte[]> binary = new ArrayList<>();
    try (JsonGenerator g = JSON.createGenerator(json)) {
      g.writeStartObject();
      g.writeStringField("model_name", model);
      if (version != null && !version.isEmpty()) {
        g.writeStringField("model_version", version);
      }
      if (request.id() != null) {
        g.writeStringField("id", request.id());
      }
      g.writeArrayFieldStart("outputs");
      for (Tensor t : outputs.values()) {
        g.writeStartObject();
        g.writeStringField("name", t.name());
        g.writeStringField("datatype", t.datatype().name());
        g.writeArrayFieldStart("shape");
        for (long d : t.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        if (binary(request, t.name())) {
          byte[] bytes = bytes(t);
          binary.add(bytes);
          g.writeObjectFieldStart("parameters");
          g.writeNumberField("binary_data_size", bytes.length);
          g.writeEndObject();
        } else {
          g.writeArrayFieldStart("data");
          data(g, t);
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (binary.isEmpty()) {
      return new Encoded(json.toByteArray(), null);
    }
    int jsonLength = json.size();
    binary.forEach(json::writeBytes);
    return new Encoded(json.toByteArray(), jsonLength);
  }

  private static boolean binary(InferRequest request, String output) {
    return request.binaryOutputs()
        || request.outputs().stream().anyMatch(o -> o.name().equals(output) && o.binary());
  }

  private static byte[] bytes(Tensor t) {
    if (t.datatype() == Datatype.BYTES) {
      return BinaryStrings.encode(t.strings());
    }
    ByteBuffer data = t.data().duplicate();
    byte[] out = new byte[data.remaining()];
    data.get(out);
    return out;
  }

  private static void data(JsonGenerator g, Tensor t) throws IOException {
    if (t.datatype() == Datatype.BYTES) {
      for (byte[] s : t.strings()) {
        g.writeString(new String(s, StandardCharsets.UTF_8));
      }
      return;
    }
    ByteBuffer d = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    while (d.hasRemaining()) {
      switch (t.datatype()) {
        case BOOL -> g.writeBoolean(d.get() != 0);
        case UINT8 -> g.writeNumber(Byte.toUnsignedInt(d.get()));
        case INT8 -> g.writeNumber(d.get());
        case UINT16 -> g.writeNumber(Short.toUnsignedInt(d.getShort()));
        case INT16 -> g.writeNumber(d.getShort());
        case UINT32 -> g.writeNumber(Integer.toUnsignedLong(d.getInt()));
        case INT32 -> g.writeNumber(d.getInt());
        case UINT64 -> g.writeNumber(new java.math.BigInteger(Long.toUnsignedString(d.getLong())));
        case INT64 -> g.writeNumber(d.getLong());
        case FP16 -> g.writeNumber(Float.float16ToFloat(d.getShort()));
        case FP32 -> g.writeNumber(d.getFloat());
        case FP64 -> g.writeNumber(d.getDouble());
        default -> throw new IllegalStateException("unexpected datatype " + t.datatype());
      }
    }
  }
}
