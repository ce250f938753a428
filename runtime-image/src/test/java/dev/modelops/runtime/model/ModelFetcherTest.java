package dev.modelops.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fetching over a real local HTTP server: checksums, retries, timeouts, permanent failures. */
class ModelFetcherTest {

  static final byte[] MODEL = "pretend this is an ONNX file".getBytes(StandardCharsets.UTF_8);
  static final ModelFetcher.Policy FAST =
      new ModelFetcher.Policy(
          Duration.ofSeconds(2), Duration.ofMillis(500), 3, Duration.ofMillis(10));

  @TempDir Path dir;
  HttpServer server;
  final AtomicInteger calls = new AtomicInteger();
  volatile int failFirst;

  @BeforeEach
  void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/model.onnx",
        ex -> {
          int n = calls.incrementAndGet();
          if (n <= failFirst) {
            ex.sendResponseHeaders(503, -1);
          } else {
            ex.sendResponseHeaders(200, MODEL.length);
            ex.getResponseBody().write(MODEL);
          }
          ex.close();
        });
    server.createContext(
        "/slow.onnx",
        ex -> {
          try {
            Thread.sleep(3_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.close();
        });
    server.createContext(
        "/stalls.onnx",
        ex -> {
          // Headers and half the file, then nothing: the body read must time out.
          ex.sendResponseHeaders(200, MODEL.length);
          ex.getResponseBody().write(MODEL, 0, MODEL.length / 2);
          ex.getResponseBody().flush();
          try {
            Thread.sleep(5_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.close();
        });
    server.createContext(
        "/private.onnx",
        ex -> {
          boolean allowed =
              "Bearer s3cr3t".equals(ex.getRequestHeaders().getFirst("Authorization"));
          ex.sendResponseHeaders(allowed ? 200 : 401, allowed ? MODEL.length : -1);
          if (allowed) {
            ex.getResponseBody().write(MODEL);
          }
          ex.close();
        });
    server.createContext(
        "/moved.onnx",
        ex -> {
          ex.getResponseHeaders().add("Location", "/private.onnx");
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path + "?token=secret";
  }

  static String sha(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void downloadsAndVerifies() throws Exception {
    Path dest =
        new ModelFetcher(FAST)
            .fetch(url("/model.onnx"), Optional.of(sha(MODEL)), dir.resolve("m/model.onnx"));
    assertThat(dest).hasBinaryContent(MODEL);
  }

  @Test
  void sendsTheAuthorizationFromTheSecretAndFollowsNoRedirectWithIt() throws Exception {
    assertThatThrownBy(
            () ->
                new ModelFetcher(FAST)
                    .fetch(url("/private.onnx"), Optional.empty(), dir.resolve("a.onnx")))
        .hasMessageContaining("HTTP 401");
    ModelFetcher withToken = new ModelFetcher(FAST, Optional.of("Bearer s3cr3t"));
    assertThat(withToken.fetch(url("/private.onnx"), Optional.of(sha(MODEL)), dir.resolve("b")))
        .hasBinaryContent(MODEL);
    // The redirect would take the header to wherever Location says: refused, saying why.
    assertThatThrownBy(
            () -> withToken.fetch(url("/moved.onnx"), Optional.empty(), dir.resolve("c")))
        .hasMessageContaining("HTTP 302, a redirect not followed")
        .hasMessageNotContaining("s3cr3t")
        .hasMessageNotContaining("secret");
  }

  @Test
  void textQuotingAUriShowsItWithoutUserInfoOrQuery() {
    assertThat(
            ModelFetcher.redact(
                "Illegal character in path at index 30: https://bob:pw@models.example/a b.onnx"
                    + "?X-Amz-Signature=abc#frag"))
        .isEqualTo(
            "Illegal character in path at index 30: https://***@models.example/a b.onnx?***");
  }

  @Test
  void retriesServerErrorsWithBackoff() throws Exception {
    failFirst = 2;
    Path dest =
        new ModelFetcher(FAST)
            .fetch(url("/model.onnx"), Optional.of(sha(MODEL)), dir.resolve("model.onnx"));
    assertThat(dest).hasBinaryContent(MODEL);
    assertThat(calls).hasValue(3);
  }

  @Test
  void givesUpAfterItsAttemptsNamingTheCauseWithoutTheQuery() {
    failFirst = 10;
    assertThatThrownBy(
            () ->
                new ModelFetcher(FAST)
                    .fetch(url("/model.onnx"), Optional.empty(), dir.resolve("model.onnx")))
        .isInstanceOf(ModelFetcher.FetchException.class)
        .hasMessageContaining("failed after 3 attempts: GET http://127.0.0.1:")
        .hasMessageContaining("HTTP 503")
        .hasMessageNotContaining("secret");
  }

  @Test
  void aMissingFileIsNotRetried() {
    assertThatThrownBy(
            () ->
                new ModelFetcher(FAST)
                    .fetch(url("/nothing.onnx"), Optional.empty(), dir.resolve("model.onnx")))
        .hasMessageContaining("HTTP 404");
    assertThat(calls).hasValue(0);
  }

  @Test
  void aWrongChecksumIsRefusedNamingBothDigestsAndLeavesNoFile() throws Exception {
    String wrong = "0".repeat(64);
    assertThatThrownBy(
            () ->
                new ModelFetcher(FAST)
                    .fetch(url("/model.onnx"), Optional.of(wrong), dir.resolve("model.onnx")))
        .isInstanceOf(ModelFetcher.ChecksumMismatchException.class)
        .hasMessageContaining("expected " + wrong)
        .hasMessageContaining("got " + sha(MODEL));
    assertThat(calls).as("a mismatch is not retried").hasValue(1);
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void aServerThatHangsTimesOut() {
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                new ModelFetcher(FAST)
                    .fetch(url("/slow.onnx"), Optional.empty(), dir.resolve("model.onnx")))
        .hasMessageContaining("failed after 3 attempts");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
  }

  @Test
  void aTransferThatStallsHalfwayTimesOutAndIsRetried() {
    assertThatThrownBy(
            () ->
                new ModelFetcher(FAST)
                    .fetch(url("/stalls.onnx"), Optional.empty(), dir.resolve("model.onnx")))
        .hasMessageContaining("failed after 3 attempts")
        .hasMessageContaining("the transfer stalled: no data for 500 ms");
    assertThat(dir.resolve("model.onnx")).doesNotExist();
  }

  @Test
  void localFilesAreCheckedInPlace() throws Exception {
    Path local = Files.write(dir.resolve("local.onnx"), MODEL);
    assertThat(
            new ModelFetcher(FAST)
                .fetch("file://" + local, Optional.of(sha(MODEL)), dir.resolve("x")))
        .isEqualTo(local);
    assertThat(new ModelFetcher(FAST).fetch(local.toString(), Optional.empty(), dir.resolve("x")))
        .isEqualTo(local);
    assertThatThrownBy(
            () ->
                new ModelFetcher(FAST)
                    .fetch(local.toString(), Optional.of("1".repeat(64)), dir.resolve("x")))
        .hasMessageStartingWith("sha256 mismatch for " + local);
    assertThatThrownBy(
            () ->
                new ModelFetcher(FAST)
                    .fetch("s3://bucket/model.onnx", Optional.empty(), dir.resolve("x")))
        .hasMessageContaining("unsupported model source scheme 's3'");
  }

  @Test
  void fetchCommandExitsWithAOneLineReason() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path dest = dir.resolve("models/model.onnx");
    int ok =
        FetchCommand.run(
            new String[] {
              "--uri", url("/model.onnx"), "--sha256", sha(MODEL), "--dest", dest.toString()
            },
            new PrintStream(out),
            new PrintStream(err));
    assertThat(ok).isZero();
    assertThat(dest).hasBinaryContent(MODEL);

    int mismatch =
        FetchCommand.run(
            new String[] {
              "--uri", url("/model.onnx"), "--sha256", "f".repeat(64), "--dest", dest.toString()
            },
            new PrintStream(out),
            new PrintStream(err));
    assertThat(mismatch).isOne();
    assertThat(err.toString())
        .startsWith("ChecksumMismatch: sha256 mismatch")
        .doesNotContain("\tat ")
        .hasLineCount(1);

    Path local = Files.write(dir.resolve("pvc-file.onnx"), MODEL);
    assertThat(
            FetchCommand.run(
                new String[] {
                  "--uri", "file://" + local, "--dest", dir.resolve("copy.onnx").toString()
                },
                new PrintStream(out),
                new PrintStream(err)))
        .isZero();
    assertThat(dir.resolve("copy.onnx")).hasBinaryContent(MODEL);

    assertThat(FetchCommand.run(new String[] {"--uri"}, new PrintStream(out), new PrintStream(err)))
        .isEqualTo(2);

    ByteArrayOutputStream hostless = new ByteArrayOutputStream();
    assertThat(
            FetchCommand.run(
                new String[] {"--uri", "http:///model.onnx", "--dest", dest.toString()},
                new PrintStream(out),
                new PrintStream(hostless)))
        .isOne();
    assertThat(hostless.toString())
        .startsWith("ModelFetchFailed: ")
        .contains("http:///model.onnx")
        .doesNotContain("\tat ")
        .hasLineCount(1);

    // A URI the HTTP client refuses is quoted without its credentials.
    ByteArrayOutputStream refused = new ByteArrayOutputStream();
    assertThat(
            FetchCommand.run(
                new String[] {
                  "--uri",
                  "https://bob:pw@models.example/a b.onnx?sig=tok3n",
                  "--dest",
                  dest.toString()
                },
                new PrintStream(out),
                new PrintStream(refused)))
        .isOne();
    assertThat(refused.toString())
        .startsWith("ModelFetchFailed: ")
        .contains("https://***@models.example/a b.onnx?***")
        .doesNotContain("pw@")
        .doesNotContain("tok3n");
  }
}
