package dev.modelops.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SubmissionPublisher;

/**
 * What the tests of the packaged runtime, started as a process of its own, share: the image's JVM
 * options, a free loopback port, a GET's status, the server's log for a failure's message, a body
 * sent in two halves.
 */
public final class LocalServer {

  private LocalServer() {}

  /** The packaged runtime, started as a process of its own and ready to serve. */
  record Started(Process process, int port) {}

  /**
   * Starts the packaged runtime (the integration-test phase's jar; the test is skipped without it)
   * on a free loopback port, serving {@code modelFile} (under src/test/resources/models) as {@code
   * model}, with the JVM options and the extra environment given, its output in {@code log}, its
   * termination message beside it; returns once it answers ready.
   */
  static Started startPackaged(
      List<String> jvmOptions, String model, String modelFile, Map<String, String> env, Path log)
      throws IOException {
    String jar = System.getProperty("runtime.jar", "");
    assumeTrue(
        !jar.isEmpty(), "runs in the integration-test phase (mvn verify), on the packaged server");
    int port = freePort();
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> environment = builder.environment();
    environment.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    environment.put("MODELOPS_MODEL_NAME", model);
    environment.put(
        "MODELOPS_MODEL_PATH",
        Path.of("src/test/resources/models", modelFile).toAbsolutePath().toString());
    environment.put(
        "MODELOPS_TERMINATION_LOG",
        log.resolveSibling(log.getFileName() + ".termination").toString());
    environment.putAll(env);
    Process process = builder.start();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    await("ready (log: " + log + ")")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> process.isAlive() && status(client, url(port, "/v2/health/ready")) == 200);
    return new Started(process, port);
  }

  /**
   * The JVM options of the image's entrypoint, from the file the image build reads them from
   * (image/java-options); the heap a test gives after them wins over their share of the RAM.
   */
  static List<String> imageJavaOptions() {
    try {
      return Files.readAllLines(Path.of("image/java-options")).stream()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static URI url(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** The status of a GET, or -1 when nothing answers. */
  static int status(HttpClient client, URI url) {
    try {
      HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build();
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The server's log, to append to a failed assertion's message. */
  static String log(Path log) {
    try {
      return "%nserver log (%s):%n%s".formatted(log, Files.readString(log));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request body sent in two halves, the second once {@code rest} completes. */
  public static HttpRequest.BodyPublisher inTwoHalves(byte[] body, CompletableFuture<Void> rest) {
    int half = body.length / 2;
    return HttpRequest.BodyPublishers.fromPublisher(
        subscriber -> {
          // A SubmissionPublisher drops what is submitted before a subscriber is there.
          SubmissionPublisher<ByteBuffer> halves = new SubmissionPublisher<>();
          halves.subscribe(subscriber);
          halves.submit(ByteBuffer.wrap(body, 0, half));
          rest.thenRun(
              () -> {
                halves.submit(ByteBuffer.wrap(body, half, body.length - half));
                halves.close();
              });
        },
        body.length);
  }

  /**
   * A binary request for the MLP of at most {@code bytes}: as many rows of 4 floats as fit after
   * its JSON header, the outputs asked for in binary too.
   */
  static byte[] binaryRequest(int bytes) {
    int rows = (bytes - 256) / 16;
    String header =
        ("{\"inputs\": [{\"name\": \"input\", \"shape\": [%d, 4], \"datatype\": \"FP32\","
                + " \"parameters\": {\"binary_data_size\": %d}}],"
                + " \"parameters\": {\"binary_data_output\": true}}")
            .formatted(rows, rows * 16);
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer body =
        ByteBuffer.allocate(json.length + rows * 16).order(ByteOrder.LITTLE_ENDIAN).put(json);
    for (int i = 0; i < rows * 4; i++) {
      body.putFloat((i % 7) / 7f);
    }
    return body.array();
  }

  /** The length of the JSON header: up to the brace that closes the outer object. */
  static int jsonLength(byte[] body) {
    int depth = 0;
    for (int i = 0; i < body.length; i++) {
      if (body[i] == '{') {
        depth++;
      } else if (body[i] == '}' && --depth == 0) {
        return i + 1;
      }
    }
    throw new IllegalArgumentException("no JSON header");
  }
}
