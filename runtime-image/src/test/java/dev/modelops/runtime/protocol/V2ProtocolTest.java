package dev.modelops.runtime.protocol;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every V2 endpoint against the MLP classifier, served by real ONNX Runtime. */
@QuarkusTest
class V2ProtocolTest {

  @org.junit.jupiter.api.BeforeEach
  void modelReady() {
    dev.modelops.runtime.ModelReady.await();
  }

  static final String ROW = "[[0.1, 0.2, 0.3, 0.4]]";

  static String request(String data, String shape) {
    return """
        {"id": "req-7", "inputs": [{"name": "input", "shape": %s, "datatype": "FP32", "data": %s}]}
        """
        .formatted(shape, data);
  }

  @Test
  void serverMetadataAdvertisesTheBinaryExtension() {
    given()
        .get("/v2")
        .then()
        .statusCode(200)
        .body("name", equalTo("modelops-runtime"))
        .body("extensions", contains("binary_tensor_data"));
  }

  @Test
  void healthAndReadiness() {
    // The bodies of the V2 REST spec, which KServe's SDK reads.
    given().get("/v2/health/live").then().statusCode(200).body("live", equalTo(true));
    given().get("/v2/health/ready").then().statusCode(200).body("ready", equalTo(true));
    given().get("/v2/models/mlp/ready").then().statusCode(200).body("ready", equalTo(true));
    given().get("/v2/models/mlp/versions/1/ready").then().statusCode(200);
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'model' }.data.executionProvider", equalTo("cpu"));
  }

  @Test
  void modelMetadataShowsFreeDimensionsAsMinusOne() {
    given()
        .get("/v2/models/mlp")
        .then()
        .statusCode(200)
        .body("name", equalTo("mlp"))
        .body("versions", contains("1"))
        .body("platform", equalTo("onnx_onnxv1"))
        .body("inputs[0].name", equalTo("input"))
        .body("inputs[0].datatype", equalTo("FP32"))
        .body("inputs[0].shape", contains(-1, 4))
        .body("outputs[0].name", equalTo("probabilities"))
        .body("outputs[0].shape", contains(-1, 3));
    given().get("/v2/models/mlp/versions/1").then().statusCode(200);
  }

  @Test
  void inferWithNestedAndFlatDataGivesTheSameProbabilities() {
    Response nested = given().body(request(ROW, "[1, 4]")).post("/v2/models/mlp/infer");
    nested
        .then()
        .statusCode(200)
        .body("model_name", equalTo("mlp"))
        .body("model_version", equalTo("1"))
        .body("id", equalTo("req-7"))
        .body("outputs[0].name", equalTo("probabilities"))
        .body("outputs[0].datatype", equalTo("FP32"))
        .body("outputs[0].shape", contains(1, 3))
        .body("outputs[0].data", hasSize(3));
    List<Float> probabilities = nested.jsonPath().getList("outputs[0].data", Float.class);
    assertThat(probabilities.stream().mapToDouble(Float::doubleValue).sum())
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    List<Float> flat =
        given()
            .body(request("[0.1, 0.2, 0.3, 0.4]", "[1, 4]"))
            .post("/v2/models/mlp/versions/1/infer")
            .jsonPath()
            .getList("outputs[0].data", Float.class);
    assertThat(flat).isEqualTo(probabilities);
  }

  @Test
  void binaryRequestAndResponse() {
    String header =
        """
        {"inputs": [{"name": "input", "shape": [2, 4], "datatype": "FP32", "parameters": {"binary_data_size": 32}}],
         "outputs": [{"name": "probabilities", "parameters": {"binary_data": true}}]}""";
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = ByteBuffer.allocate(json.length + 32).order(ByteOrder.LITTLE_ENDIAN);
    body.put(json);
    for (float f : new float[] {0.1f, 0.2f, 0.3f, 0.4f, 1, 2, 3, 4}) {
      body.putFloat(f);
    }
    Response response =
        given()
            .header("Inference-Header-Content-Length", json.length)
            .contentType("application/octet-stream")
            .body(body.array())
            .post("/v2/models/mlp/infer");
    response.then().statusCode(200);
    int jsonLength = Integer.parseInt(response.header("Inference-Header-Content-Length"));
    byte[] all = response.asByteArray();
    String responseJson = new String(all, 0, jsonLength, StandardCharsets.UTF_8);
    assertThat(responseJson).contains("\"binary_data_size\":24");
    ByteBuffer out =
        ByteBuffer.wrap(all, jsonLength, all.length - jsonLength).order(ByteOrder.LITTLE_ENDIAN);
    float[] first = {out.getFloat(), out.getFloat(), out.getFloat()};
    List<Float> viaJson =
        given()
            .body(request(ROW, "[1, 4]"))
            .post("/v2/models/mlp/infer")
            .jsonPath()
            .getList("outputs[0].data", Float.class);
    assertThat(first[0]).isEqualTo(viaJson.get(0));
    assertThat(first[2]).isEqualTo(viaJson.get(2));
  }

  @Test
  void largeRequestsDecodedOnAWorkerGiveTheSameAnswers() {
    // Over modelops.inline.max-body-bytes (64 KiB): decoded and run on a worker thread, not the
    // event loop; the answer and the errors must be the same as for a small request.
    int rows = 4000;
    String data = String.join(",", java.util.Collections.nCopies(rows, ROW.substring(1, 21)));
    String large = request("[" + data + "]", "[" + rows + ", 4]");
    assertThat(large.length()).isGreaterThan(65_536);
    List<Float> one =
        given()
            .body(request(ROW, "[1, 4]"))
            .post("/v2/models/mlp/infer")
            .jsonPath()
            .getList("outputs[0].data", Float.class);
    Response answer = given().body(large).post("/v2/models/mlp/infer");
    answer.then().statusCode(200).body("outputs[0].shape", contains(rows, 3));
    List<Float> all = answer.jsonPath().getList("outputs[0].data", Float.class);
    assertThat(all.subList(0, 3)).isEqualTo(one);
    assertThat(all.subList(all.size() - 3, all.size())).isEqualTo(one);
    expectError(
        large.replace("FP32", "FP64"),
        "/v2/models/mlp/infer",
        400,
        "input 'input' has datatype FP64; the model expects FP32");
  }

  @Test
  void errorsAreFourHundredsThatSayWhatIsWrong() {
    expectError(
        request(ROW, "[1, 4]"),
        "/v2/models/other/infer",
        404,
        "model 'other' is not served here; this server serves 'mlp'");
    expectError(
        request(ROW, "[1, 4]"), "/v2/models/mlp/versions/9/infer", 404, "has no version '9'");
    expectError(
        request(ROW, "[1, 4]").replace("\"input\"", "\"features\""),
        "/v2/models/mlp/infer",
        400,
        "unknown input 'features'; the model's inputs are [input]");
    expectError(
        request(ROW, "[1, 4]").replace("FP32", "FP64"),
        "/v2/models/mlp/infer",
        400,
        "input 'input' has datatype FP64; the model expects FP32");
    expectError(
        request("[[0.1, 0.2, 0.3]]", "[1, 3]"),
        "/v2/models/mlp/infer",
        400,
        "input 'input' has shape [1, 3]; the model expects [-1, 4]");
    expectError(
        request(ROW, "[2, 4]"),
        "/v2/models/mlp/infer",
        400,
        "input 'input' has 4 elements; shape [2, 4] needs 8");
    expectError("{\"inputs\": [", "/v2/models/mlp/infer", 400, "malformed JSON");
    expectError(
        request("[[\"a\", 1, 2, 3]]", "[1, 4]"),
        "/v2/models/mlp/infer",
        400,
        "FP32 data must be numbers");
    expectError("{\"inputs\": []}", "/v2/models/mlp/infer", 400, "the request has no 'inputs'");
    expectError(
        "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 4], \"datatype\": \"FP99\", \"data\": [1,2,3,4]}]}",
        "/v2/models/mlp/infer",
        400,
        "unknown datatype 'FP99'");
    expectError(
        request(ROW, "[1, 4]").replace("\"id\"", "\"outputs\": [{\"name\": \"logits\"}], \"id\""),
        "/v2/models/mlp/infer",
        400,
        "unknown output 'logits'");
    given()
        .get("/v2/models/other")
        .then()
        .statusCode(404)
        .body("error", containsString("not served here"));
    given()
        .get("/v2/nothing/here")
        .then()
        .statusCode(404)
        .body("error", containsString("no such endpoint"));
  }

  @Test
  void shapesTooLargeForAnyRequestAreA400() {
    // Element counts whose byte size overflows (2^60 FP64 elements is 2^63 bytes) must not reach
    // a buffer allocation or the model: a 400, not a 500.
    expectError(
        request("[1]", "[1152921504606846976]").replace("FP32", "FP64"),
        "/v2/models/mlp/infer",
        400,
        "input 'input' has a shape too large for one request: [1152921504606846976]");
    expectError(
        request("[1]", "[4611686018427387904, 4]"), "/v2/models/mlp/infer", 400, "shape too large");
    String header =
        "{\"inputs\": [{\"name\": \"input\", \"shape\": [1152921504606846976, 4],"
            + " \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": 0}}]}";
    given()
        .header("Inference-Header-Content-Length", header.length())
        .body(header)
        .post("/v2/models/mlp/infer")
        .then()
        .statusCode(400)
        .body("error", containsString("shape too large"));
  }

  @Test
  void oversizedBodiesGetA413() {
    String big = request("[" + "0.5, ".repeat(300_000) + "0.5]", "[1, 300001]");
    expectError(big, "/v2/models/mlp/infer", 413, "the limit is 1048576");
  }

  @Test
  void aDeclaredLengthFarOverTheLimitIsRefusedBeforeTheBodyIsSent() throws Exception {
    // 300 MB declared and never sent: the V2 413 comes at once, from the runtime's own limit.
    try (java.net.Socket socket =
        new java.net.Socket("localhost", io.restassured.RestAssured.port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("POST /v2/models/mlp/infer HTTP/1.1\r\nHost: localhost\r\n"
                      + "Content-Type: application/json\r\nContent-Length: 300000000\r\n\r\n{")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      byte[] buffer = new byte[4096];
      StringBuilder answer = new StringBuilder();
      while (!answer.toString().contains("}")) {
        int n = socket.getInputStream().read(buffer);
        if (n < 0) {
          break;
        }
        answer.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
      assertThat(answer.toString())
          .startsWith("HTTP/1.1 413")
          .contains("{\"error\":\"the request body has 300000000 bytes; the limit is 1048576\"}");
    }
  }

  @Test
  void aClientThatExpectsContinueIsToldToSendItsBody() throws Exception {
    byte[] body = request(ROW, "[1, 4]").getBytes(StandardCharsets.UTF_8);
    try (java.net.Socket socket =
        new java.net.Socket("localhost", io.restassured.RestAssured.port)) {
      socket.setSoTimeout(10_000);
      var out = socket.getOutputStream();
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      out.write(
          ("POST /v2/models/mlp/infer HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                  + "Content-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(in.readLine()).startsWith("HTTP/1.1 100");
      assertThat(in.readLine()).isEmpty();
      out.write(body);
      out.flush();
      assertThat(in.readLine()).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void oversizedChunkedBodiesWithoutALengthGetA413() throws Exception {
    // No Content-Length: the limit is enforced while the body arrives, not after it is all read.
    byte[] chunk = "0.5, ".repeat(1000).getBytes(StandardCharsets.UTF_8);
    java.io.InputStream endless =
        new java.io.SequenceInputStream(
            java.util.Collections.enumeration(
                java.util.stream.Stream.generate(() -> new java.io.ByteArrayInputStream(chunk))
                    .limit(300)
                    .toList()));
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            io.restassured.RestAssured.baseURI
                                + ":"
                                + io.restassured.RestAssured.port
                                + "/v2/models/mlp/infer"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> endless))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).contains("more than 1048576 bytes; the limit is 1048576");
    given().body(request(ROW, "[1, 4]")).post("/v2/models/mlp/infer").then().statusCode(200);
  }

  @Test
  void inferTakesOnlyPost() {
    given()
        .get("/v2/models/mlp/infer")
        .then()
        .statusCode(405)
        .header("Allow", "POST")
        .body("error", containsString("infer takes POST"));
    given().put("/v2/models/mlp/versions/1/infer").then().statusCode(405);
  }

  @Test
  void metricsCountRequestsAndErrorsByModelAndRevision() {
    given().body(request(ROW, "[1, 4]")).post("/v2/models/mlp/infer").then().statusCode(200);
    given().body("{").post("/v2/models/mlp/infer").then().statusCode(400);
    String metrics = given().get("/q/metrics").asString();
    assertThat(metrics)
        .containsPattern(
            "modelops_inference_requests_total\\{model=\"mlp\",outcome=\"success\",protocol=\"json\",revision=\"0\"} [1-9]")
        .containsPattern(
            "modelops_inference_errors_total\\{kind=\"bad_request\",model=\"mlp\",revision=\"0\"} [1-9]")
        .contains("modelops_inference_request_duration_seconds_bucket")
        .contains("modelops_batch_size_bucket")
        .contains("modelops_model_load_duration_seconds_count")
        .containsPattern("modelops_execution_provider\\{provider=\"cpu\"} 1.0");
  }

  static void expectError(String body, String path, int status, String message) {
    given()
        .body(body)
        .post(path)
        .then()
        .statusCode(status)
        .contentType(containsString("application/json"))
        .body("error", containsString(message));
  }
}
