package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.runtime.ModelProfiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every datatype ONNX Runtime Java holds goes through an identity model unchanged, in JSON and
 * binary.
 */
@QuarkusTest
@TestProfile(ModelProfiles.Types.class)
class DatatypesTest {

  @org.junit.jupiter.api.BeforeEach
  void modelReady() {
    dev.modelops.runtime.ModelReady.await();
  }

  /** A datatype, JSON values of a [2, 2] tensor, and the same values little-endian. */
  record Case(String type, String json, List<Object> expected, byte[] binary) {
    @Override
    public String toString() {
      return type;
    }
  }

  static byte[] le(int size, long... values) {
    ByteBuffer b = ByteBuffer.allocate(size * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      switch (size) {
        case 1 -> b.put((byte) v);
        case 2 -> b.putShort((short) v);
        case 4 -> b.putInt((int) v);
        default -> b.putLong(v);
      }
    }
    return b.array();
  }

  static List<Case> cases() {
    ByteBuffer f32 =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putFloat(1.5f)
            .putFloat(-2f)
            .putFloat(0f)
            .putFloat(3.25f);
    ByteBuffer f64 =
        ByteBuffer.allocate(32)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putDouble(1.5)
            .putDouble(-2)
            .putDouble(0)
            .putDouble(1e300);
    ByteBuffer f16 =
        ByteBuffer.allocate(8)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putShort(Float.floatToFloat16(1.5f))
            .putShort(Float.floatToFloat16(-2f))
            .putShort(Float.floatToFloat16(0f))
            .putShort(Float.floatToFloat16(0.25f));
    ByteBuffer strings = ByteBuffer.allocate(4 * 4 + 3 + 0 + 5 + 1).order(ByteOrder.LITTLE_ENDIAN);
    for (String s : new String[] {"abc", "", "héé", "z"}) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      strings.putInt(bytes.length).put(bytes);
    }
    return List.of(
        new Case(
            "BOOL",
            "[[true, false], [false, true]]",
            List.of(true, false, false, true),
            le(1, 1, 0, 0, 1)),
        new Case("UINT8", "[[0, 255], [7, 128]]", List.of(0, 255, 7, 128), le(1, 0, 255, 7, 128)),
        new Case(
            "INT8", "[[-128, 127], [0, -1]]", List.of(-128, 127, 0, -1), le(1, -128, 127, 0, -1)),
        new Case(
            "INT16",
            "[[-32768, 32767], [0, -1]]",
            List.of(-32768, 32767, 0, -1),
            le(2, -32768, 32767, 0, -1)),
        new Case(
            "INT32",
            "[[-2147483648, 2147483647], [0, -1]]",
            List.of(-2147483648, 2147483647, 0, -1),
            le(4, -2147483648L, 2147483647L, 0, -1)),
        new Case(
            "INT64",
            "[[-9007199254740993, 9007199254740993], [0, -1]]",
            List.of(-9007199254740993L, 9007199254740993L, 0, -1),
            le(8, -9007199254740993L, 9007199254740993L, 0, -1)),
        new Case(
            "FP16", "[[1.5, -2.0], [0.0, 0.25]]", List.of(1.5f, -2.0f, 0.0f, 0.25f), f16.array()),
        new Case(
            "FP32", "[[1.5, -2.0], [0.0, 3.25]]", List.of(1.5f, -2.0f, 0.0f, 3.25f), f32.array()),
        new Case(
            "FP64", "[[1.5, -2.0], [0.0, 1e300]]", List.of(1.5, -2.0, 0.0, 1e300), f64.array()),
        new Case(
            "BYTES",
            "[[\"abc\", \"\"], [\"héé\", \"z\"]]",
            List.of("abc", "", "héé", "z"),
            strings.array()));
  }

  /** All inputs zero-filled but the one under test, whose output is the one asked for. */
  static String request(Case c, boolean binaryIn, boolean binaryOut) {
    StringBuilder inputs = new StringBuilder();
    for (Case other : cases()) {
      if (!inputs.isEmpty()) {
        inputs.append(", ");
      }
      String data = other == c || other.type.equals(c.type) ? c.json : zeros(other.type);
      inputs.append(
          "{\"name\": \"in_%s\", \"shape\": [2, 2], \"datatype\": \"%s\", "
              .formatted(other.type, other.type));
      if (binaryIn && other.type.equals(c.type)) {
        inputs.append("\"parameters\": {\"binary_data_size\": %d}}".formatted(c.binary.length));
      } else {
        inputs.append("\"data\": %s}".formatted(data));
      }
    }
    String params = binaryOut ? ", \"parameters\": {\"binary_data\": true}" : "";
    return "{\"inputs\": [%s], \"outputs\": [{\"name\": \"out_%s\"%s}]}"
        .formatted(inputs, c.type, params);
  }

  static String zeros(String type) {
    return switch (type) {
      case "BOOL" -> "[false, false, false, false]";
      case "BYTES" -> "[\"\", \"\", \"\", \"\"]";
      default -> "[0, 0, 0, 0]";
    };
  }

  @ParameterizedTest(name = "{0} in JSON")
  @MethodSource("cases")
  void jsonRoundTrip(Case c) {
    JsonPath out =
        given()
            .body(request(c, false, false).getBytes(StandardCharsets.UTF_8))
            .post("/v2/models/types/infer")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(out.getString("outputs[0].datatype")).isEqualTo(c.type);
    assertThat(out.getList("outputs[0].shape", Integer.class)).containsExactly(2, 2);
    List<Object> data = out.getList("outputs[0].data");
    for (int i = 0; i < 4; i++) {
      Object want = c.expected.get(i);
      Object got = data.get(i);
      if (want instanceof Number n && got instanceof Number g) {
        assertThat(
                new java.math.BigDecimal(g.toString())
                    .compareTo(new java.math.BigDecimal(n.toString())))
            .as("%s element %d: %s", c.type, i, got)
            .isZero();
      } else {
        assertThat(got).isEqualTo(want);
      }
    }
  }

  @ParameterizedTest(name = "{0} in binary")
  @MethodSource("cases")
  void binaryRoundTrip(Case c) {
    byte[] json = request(c, true, true).getBytes(StandardCharsets.UTF_8);
    byte[] body =
        ByteBuffer.allocate(json.length + c.binary.length).put(json).put(c.binary).array();
    Response r =
        given()
            .header("Inference-Header-Content-Length", json.length)
            .body(body)
            .post("/v2/models/types/infer");
    r.then().statusCode(200);
    int jsonLength = Integer.parseInt(r.header("Inference-Header-Content-Length"));
    byte[] all = r.asByteArray();
    assertThat(java.util.Arrays.copyOfRange(all, jsonLength, all.length)).isEqualTo(c.binary);
    Map<String, Object> output =
        JsonPath.from(new String(all, 0, jsonLength, StandardCharsets.UTF_8)).getMap("outputs[0]");
    assertThat(output)
        .containsEntry("datatype", c.type)
        .containsEntry("parameters", Map.of("binary_data_size", c.binary.length));
  }
}
