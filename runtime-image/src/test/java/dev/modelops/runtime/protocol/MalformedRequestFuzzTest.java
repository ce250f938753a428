package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.runtime.ModelReady;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hundreds of random mutations of valid requests, JSON and binary: none may produce a 5xx or a body
 * that is not a V2 answer, and the server stays ready. Each run draws a fresh seed and prints it; a
 * failure names it, and {@code -Dfuzz.seed=N} replays it.
 */
@QuarkusTest
class MalformedRequestFuzzTest {

  static final long SEED = Long.getLong("fuzz.seed", new SecureRandom().nextLong());

  static {
    System.out.printf("[fuzz] seed %d (replay with -Dfuzz.seed=%d)%n", SEED, SEED);
  }

  static final String JSON =
      "{\"id\": \"f\", \"inputs\": [{\"name\": \"input\", \"shape\": [2, 4], \"datatype\": \"FP32\","
          + " \"data\": [[0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4]]}], \"outputs\": [{\"name\": \"probabilities\"}]}";
  static final String[] FRAGMENTS = {
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "true",
    "-1",
    "1e999",
    "99999999999999999999999",
    "1152921504606846976",
    "4611686018427387904",
    "\"FP16\"",
    "\"BYTES\"",
    "\"input\"",
    "\"shape\"",
    "\"data\"",
    "\"binary_data_size\"",
    "[[[[[[",
    "\\u0000",
    "NaN",
    "\u00e9"
  };

  @BeforeEach
  void ready() {
    ModelReady.await();
  }

  static byte[] mutate(byte[] valid, Random random) {
    List<Byte> bytes = new ArrayList<>();
    for (byte b : valid) {
      bytes.add(b);
    }
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && !bytes.isEmpty(); e++) {
      int at = random.nextInt(bytes.size());
      switch (random.nextInt(6)) {
        case 0 -> bytes.remove(at);
        case 1 -> bytes.add(at, (byte) random.nextInt(256));
        case 2 -> bytes.set(at, (byte) random.nextInt(256));
        case 3 -> {
          for (byte b :
              FRAGMENTS[random.nextInt(FRAGMENTS.length)].getBytes(StandardCharsets.UTF_8)) {
            bytes.add(at++, b);
          }
        }
        case 4 -> bytes.subList(at, bytes.size()).clear();
        default -> {
          int end = Math.min(bytes.size(), at + 1 + random.nextInt(20));
          bytes.addAll(at, new ArrayList<>(bytes.subList(at, end)));
        }
      }
    }
    byte[] out = new byte[bytes.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.get(i);
    }
    return out;
  }

  static byte[] binaryRequest() {
    byte[] header =
        ("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\","
                + " \"parameters\": {\"binary_data_size\": 16}}], \"parameters\": {\"binary_data_output\": true}}")
            .getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(header.length + 16)
        .order(ByteOrder.LITTLE_ENDIAN)
        .put(header)
        .putFloat(1)
        .putFloat(2)
        .putFloat(3)
        .putFloat(4)
        .array();
  }

  @Test
  void jsonMutationsNeverProduceAServerError() {
    Random random = new Random(SEED);
    byte[] valid = JSON.getBytes(StandardCharsets.UTF_8);
    given().body(valid).post("/v2/models/mlp/infer").then().statusCode(200);
    int[] counts = new int[6];
    for (int i = 0; i < 400; i++) {
      byte[] body = mutate(valid, random);
      Response r = given().body(body).post("/v2/models/mlp/infer");
      counts[r.statusCode() / 100]++;
      assertThat(r.statusCode())
          .as(
              "seed %d, mutation %d: %s -> %s",
              SEED, i, new String(body, StandardCharsets.UTF_8), r.asString())
          .isLessThan(500);
      if (r.statusCode() >= 400) {
        assertThat(r.jsonPath().getString("error"))
            .as("seed %d, mutation %d has a V2 error body", SEED, i)
            .isNotBlank()
            .doesNotContain("\tat ");
      }
    }
    assertThat(counts[4]).as("most mutations are rejected").isGreaterThan(100);
    given().get("/v2/health/ready").then().statusCode(200);
  }

  @Test
  void binaryMutationsNeverProduceAServerError() {
    Random random = new Random(SEED + 1);
    byte[] valid = binaryRequest();
    int headerLength = valid.length - 16;
    given()
        .header("Inference-Header-Content-Length", headerLength)
        .body(valid)
        .post("/v2/models/mlp/infer")
        .then()
        .statusCode(200);
    for (int i = 0; i < 300; i++) {
      byte[] body = mutate(valid, random);
      String length =
          switch (random.nextInt(5)) {
            case 0 -> Integer.toString(random.nextInt(body.length + 10) - 5);
            case 1 -> "abc";
            default -> Integer.toString(headerLength);
          };
      Response r =
          given()
              .header("Inference-Header-Content-Length", length)
              .body(body)
              .post("/v2/models/mlp/infer");
      assertThat(r.statusCode())
          .as("seed %d, binary mutation %d (header %s): %s", SEED + 1, i, length, r.asString())
          .isLessThan(500);
      if (r.statusCode() >= 400) {
        assertThat(r.jsonPath().getString("error"))
            .as("seed %d, binary mutation %d has a V2 error body", SEED + 1, i)
            .isNotBlank()
            .doesNotContain("\tat ");
      }
    }
    given().get("/v2/health/ready").then().statusCode(200);
  }

  /** A request whose parts disagree with each other is refused, with what disagrees. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fewer values than the shape | [2, 4] | [0.1, 0.2, 0.3] | 8",
        "more values than the shape | [1, 4] | [1, 2, 3, 4, 5, 6, 7, 8, 9] | 4",
        "a shape of a trillion elements | [1000000, 1000000] | [1, 2, 3, 4] | too large for one request",
        "a negative dimension | [-1, 4] | [1, 2, 3, 4] | -1",
      })
  void partsThatDisagreeAreRefusedSayingWhat(
      String what, String shape, String data, String mentioned) {
    String body =
        "{\"inputs\": [{\"name\": \"input\", \"shape\": %s, \"datatype\": \"FP32\", \"data\": %s}]}"
            .formatted(shape, data);
    Response r = given().body(body).post("/v2/models/mlp/infer");
    assertThat(r.statusCode()).as(what + ": " + r.asString()).isEqualTo(400);
    assertThat(r.jsonPath().getString("error")).as(what).contains(mentioned);
  }

  @Test
  void aHugeBinaryDataSizeIsRefusedWithoutReadingOrAllocatingIt() {
    byte[] header =
        ("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP32\","
                + " \"parameters\": {\"binary_data_size\": 4611686018427387904}}]}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] body = ByteBuffer.allocate(header.length + 16).put(header).array();
    Response r =
        given()
            .header("Inference-Header-Content-Length", header.length)
            .body(body)
            .post("/v2/models/mlp/infer");
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(400);
    assertThat(r.jsonPath().getString("error"))
        .contains("declares 4611686018427387904 bytes of binary data but only 16 remain");
    given().get("/v2/health/ready").then().statusCode(200);
  }
}
