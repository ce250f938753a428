package dev.modelops.runtime.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.modelops.runtime.inference.Datatype;
import dev.modelops.runtime.inference.InferRequest;
import dev.modelops.runtime.inference.InferenceException;
import dev.modelops.runtime.inference.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a V2 inference request: JSON, or JSON followed by binary tensor data (the binary tensor
 * extension, whose JSON part is {@code Inference-Header-Content-Length} bytes long).
 */
public final class InferRequestReader {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
          // Tensors are mostly numbers: FastDoubleParser reads them about 3x faster than the JDK.
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .build();

  private InferRequestReader() {}

  /** An input as read from the JSON, before its data is bound to a type and shape. */
  private static final class InputDraft {
    String name;
    String datatype;
    long[] shape;
    Map<String, Object> parameters = Map.of();
    TensorDataReader data;
    TokenBuffer lateData;
  }

  public static InferRequest read(byte[] body, Integer headerLength) {
    int jsonLength = headerLength == null ? body.length : headerLength;
    if (jsonLength < 0 || jsonLength > body.length) {
      throw InferenceException.badRequest(
          "Inference-Header-Content-Length is %d but the body has %d bytes"
              .formatted(jsonLength, body.length));
    }
    try (JsonParser p = JSON.createParser(body, 0, jsonLength)) {
      p.setCodec(MAPPER);
      return parse(
          p,
          ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).slice(),
          headerLength != null);
    } catch (JsonProcessingException e) {
      throw InferenceException.badRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw InferenceException.badRequest("unreadable request: " + e.getMessage());
    }
  }

  private static InferRequest parse(JsonParser p, ByteBuffer binary, boolean binaryExpected)
      throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw InferenceException.badRequest("the request must be a JSON object");
    }
    String id = null;
    Map<String, Object> parameters = Map.of();
    List<InputDraft> inputs = null;
    List<InferRequest.RequestedOutput> outputs = List.of();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "id" -> id = text(p, value, "id");
        case "parameters" -> parameters = object(p, value, "parameters");
        case "inputs" -> inputs = inputs(p, value);
        case "outputs" -> outputs = outputs(p, value);
        default -> p.skipChildren();
      }
    }
    if (p.nextToken() != null) {
      throw InferenceException.badRequest("malformed JSON: content after the request object");
    }
    if (inputs == null || inputs.isEmpty()) {
      throw InferenceException.badRequest("the request has no 'inputs'");
    }
    List<Tensor> tensors = new ArrayList<>();
    for (InputDraft d : inputs) {
      tensors.add(bind(d, binary));
    }
    if (binary.hasRemaining()) {
      throw InferenceException.badRequest(
          "%d bytes of binary data are left over after the inputs' binary_data_size"
              .formatted(binary.remaining()));
    }
    boolean binaryOutputs = Boolean.TRUE.equals(parameters.get("binary_data_output"));
    return new InferRequest(id, parameters, tensors, outputs, binaryOutputs);
  }

  private static List<InputDraft> inputs(JsonParser p, JsonToken value) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw InferenceException.badRequest("'inputs' must be an array");
    }
    List<InputDraft> inputs = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw InferenceException.badRequest("each of 'inputs' must be an object");
      }
      inputs.add(input(p));
    }
    return inputs;
  }

  private static InputDraft input(JsonParser p) throws IOException {
    InputDraft d = new InputDraft();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "name" -> d.name = text(p, value, "input name");
        case "datatype" -> d.datatype = text(p, value, "datatype");
        case "shape" -> d.shape = shape(p, value, d.name);
        case "parameters" -> d.parameters = object(p, value, "parameters");
        case "data" -> {
          Datatype type = d.datatype == null ? null : datatype(d);
          if (type != null && d.shape != null && d.name != null) {
            d.data = new TensorDataReader(d.name, type, d.shape, elements(d, type));
            d.data.read(p);
          } else {
            // Fields in an unusual order: keep the tokens and read them once type and shape are
            // known.
            d.lateData = new TokenBuffer(p);
            d.lateData.copyCurrentStructure(p);
          }
        }
        default -> p.skipChildren();
      }
    }
    if (d.name == null) {
      throw InferenceException.badRequest("an input has no 'name'");
    }
    if (d.datatype == null) {
      throw InferenceException.badRequest("input '" + d.name + "' has no 'datatype'");
    }
    if (d.shape == null) {
      throw InferenceException.badRequest("input '" + d.name + "' has no 'shape'");
    }
    return d;
  }

  private static Tensor bind(InputDraft d, ByteBuffer binary) throws IOException {
    Datatype type = datatype(d);
    long elements = elements(d, type);
    Object size = d.parameters.get("binary_data_size");
    if (size != null) {
      if (d.data != null || d.lateData != null) {
        throw InferenceException.badRequest(
            "input '" + d.name + "' has both 'data' and binary_data_size");
      }
      return binaryTensor(d, type, elements, size, binary);
    }
    if (d.lateData != null) {
      d.data = new TensorDataReader(d.name, type, d.shape, elements);
      try (JsonParser replay = d.lateData.asParser()) {
        replay.nextToken();
        d.data.read(replay);
      }
    }
    if (d.data == null) {
      throw InferenceException.badRequest(
          "input '" + d.name + "' has no 'data' and no binary_data_size");
    }
    if (d.data.count() != elements) {
      throw InferenceException.badRequest(
          "input '%s' has %d elements; shape %s needs %d"
              .formatted(d.name, d.data.count(), Arrays.toString(d.shape), elements));
    }
    return type == Datatype.BYTES
        ? Tensor.bytes(d.name, d.shape, d.data.strings())
        : Tensor.numeric(d.name, type, d.shape, d.data.bytes());
  }

  private static Tensor binaryTensor(
      InputDraft d, Datatype type, long elements, Object size, ByteBuffer binary) {
    if (!(size instanceof Number n) || n.longValue() < 0) {
      throw InferenceException.badRequest(
          "input '" + d.name + "': binary_data_size must be a non-negative integer");
    }
    long bytes = n.longValue();
    if (bytes > binary.remaining()) {
      throw InferenceException.badRequest(
          "input '%s' declares %d bytes of binary data but only %d remain"
              .formatted(d.name, bytes, binary.remaining()));
    }
    ByteBuffer chunk = binary.slice(binary.position(), (int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    binary.position(binary.position() + (int) bytes);
    if (type == Datatype.BYTES) {
      return Tensor.bytes(d.name, d.shape, BinaryStrings.decode(d.name, chunk, elements));
    }
    if (bytes != elements * type.size) {
      throw InferenceException.badRequest(
          "input '%s' has %d bytes of binary data; shape %s of %s needs %d"
              .formatted(d.name, bytes, Arrays.toString(d.shape), type, elements * type.size));
    }
    ByteBuffer direct = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    direct.put(chunk).flip();
    return Tensor.numeric(d.name, type, d.shape, direct);
  }

  private static Datatype datatype(InputDraft d) {
    return Datatype.parse(d.datatype)
        .orElseThrow(
            () ->
                InferenceException.badRequest(
                    "input '%s' has unknown datatype '%s'; use one of %s"
                        .formatted(d.name, d.datatype, Arrays.toString(Datatype.values()))));
  }

  /**
   * The shape's element count, refused when the tensor could not be held in one buffer (over 2 GiB,
   * far past any request body), so no size computed from it can overflow.
   */
  private static long elements(InputDraft d, Datatype type) {
    try {
      long elements = Tensor.elementCount(d.shape);
      if (Math.multiplyExact(elements, Math.max(type.size, 4)) <= Integer.MAX_VALUE) {
        return elements;
      }
    } catch (ArithmeticException e) {
      // falls through to the same answer
    }
    throw InferenceException.badRequest(
        "input '%s' has a shape too large for one request: %s"
            .formatted(d.name, Arrays.toString(d.shape)));
  }

  private static long[] shape(JsonParser p, JsonToken value, String input) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw InferenceException.badRequest(
          "'shape' of input '" + input + "' must be an array of integers");
    }
    List<Long> dims = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          || p.getLongValue() < 0) {
        throw InferenceException.badRequest(
            "'shape' of input '" + input + "' must hold non-negative integers, got " + p.getText());
      }
      dims.add(p.getLongValue());
      if (dims.size() > 32) {
        throw InferenceException.badRequest(
            "'shape' of input '" + input + "' has more than 32 dimensions");
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static List<InferRequest.RequestedOutput> outputs(JsonParser p, JsonToken value)
      throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw InferenceException.badRequest("'outputs' must be an array");
    }
    List<InferRequest.RequestedOutput> outputs = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      Map<String, Object> o = object(p, p.currentToken(), "each of 'outputs'");
      if (!(o.get("name") instanceof String name)) {
        throw InferenceException.badRequest("each of 'outputs' needs a 'name'");
      }
      boolean binary =
          o.get("parameters") instanceof Map<?, ?> params
              && Boolean.TRUE.equals(params.get("binary_data"));
      outputs.add(new InferRequest.RequestedOutput(name, binary));
    }
    return outputs;
  }

  /**
   * A JSON object read from the parser's tokens into what Jackson's untyped binding gives (maps in
   * order, lists, Integer, Long or BigInteger, Double, String, Boolean, null), without binding it
   * through an ObjectMapper: that was a quarter of decoding a binary request (docs/benchmarks.md,
   * "Where one request's time goes").
   */
  private static Map<String, Object> object(JsonParser p, JsonToken value, String what)
      throws IOException {
    if (value != JsonToken.START_OBJECT) {
      throw InferenceException.badRequest(what + " must be a JSON object");
    }
    return objectAfterStart(p);
  }

  private static Map<String, Object> objectAfterStart(JsonParser p) throws IOException {
    Map<String, Object> object = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      object.put(field, value(p, p.nextToken()));
    }
    return object;
  }

  private static Object value(JsonParser p, JsonToken token) throws IOException {
    if (token == null) {
      throw InferenceException.badRequest("malformed JSON: the body ends inside a value");
    }
    return switch (token) {
      case START_OBJECT -> objectAfterStart(p);
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        JsonToken next;
        while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
          list.add(value(p, next));
        }
        yield list;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT -> p.getNumberValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw InferenceException.badRequest("malformed JSON: unexpected " + token);
    };
  }

  private static String text(JsonParser p, JsonToken value, String what) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw InferenceException.badRequest(what + " must be a string");
    }
    return p.getText();
  }
}
