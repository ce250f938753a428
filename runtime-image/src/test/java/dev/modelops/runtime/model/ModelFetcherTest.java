package dev.modelops.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
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
    server.createContext(
        "/unsized.onnx",
        ex -> {
          // No length declared (chunked): only counting the bytes finds the file too large.
          calls.incrementAndGet();
          ex.sendResponseHeaders(200, 0);
          ex.getResponseBody().write(MODEL);
          ex.close();
        });
    server.createContext(
        "/hop/",
        ex -> {
          // /hop/N redirects to /hop/N-1, and /hop/0 to the model: N + 1 redirects.
          calls.incrementAndGet();
          int n = Integer.parseInt(ex.getRequestURI().getPath().substring("/hop/".length()));
          ex.getResponseHeaders().add("Location", n == 0 ? "/model.onnx" : "/hop/" + (n - 1));
          ex.sendResponseHeaders(302, -1);
          ex.close();
        });
    server.createContext(
        "/elsewhere/",
        ex -> {
          // /elsewhere/<URI> redirects to that URI.
          calls.incrementAndGet();
          ex.getResponseHeaders()
              .add("Location", ex.getRequestURI().getPath().substring("/elsewhere/".length()));
          ex.sendResponseHeaders(301, -1);
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

  @Test
  void redirectsAreFollowedUpToFiveAndNoFurther() throws Exception {
    assertThat(
            new ModelFetcher(FAST).fetch(url("/hop/4"), Optional.of(sha(MODEL)), dir.resolve("a")))
        .as("five redirects")
        .hasBinaryContent(MODEL);
    calls.set(0);
    assertThatThrownBy(
            () -> new ModelFetcher(FAST).fetch(url("/hop/5"), Optional.empty(), dir.resolve("b")))
        .hasMessageContaining("more than 5 redirects, refused")
        .hasMessageNotContaining("secret");
    assertThat(calls).as("not retried: six hops, once").hasValue(6);
  }

  @Test
  void aRedirectNeverLeavesHttpsNorGoesToAnotherScheme() {
    URI https = URI.create("https://models.example/m.onnx");
    URI http = URI.create("http://models.example/m.onnx");
    assertThat(ModelFetcher.redirectAllowed(https, URI.create("http://mirror.example/m.onnx")))
        .isFalse();
    assertThat(ModelFetcher.redirectAllowed(https, URI.create("https://mirror.example/m")))
        .isTrue();
    assertThat(ModelFetcher.redirectAllowed(http, URI.create("https://mirror.example/m"))).isTrue();
    assertThat(ModelFetcher.redirectAllowed(http, URI.create("http://mirror.example/m"))).isTrue();
    assertThat(ModelFetcher.redirectAllowed(http, URI.create("file:///etc/passwd"))).isFalse();

    // Through the server: a Location with another scheme is refused, not retried.
    assertThatThrownBy(
            () ->
                new ModelFetcher(FAST)
                    .fetch(
                        url("/elsewhere/file:///etc/passwd"), Optional.empty(), dir.resolve("c")))
        .isInstanceOf(ModelFetcher.FetchException.class)
        .hasMessageContaining("HTTP 301 to a file URI, refused");
    assertThat(calls).hasValue(1);
  }

  @Test
  void aFileLargerThanTheMostAFetchTakesIsRefusedAndNotRetried() {
    ModelFetcher small = new ModelFetcher(FAST.withMaxBytes(MODEL.length - 1));
    assertThatThrownBy(() -> small.fetch(url("/model.onnx"), Optional.empty(), dir.resolve("a")))
        .hasMessageContaining(
            "the file is %d bytes, more than the most a fetch takes, MODELOPS_FETCH_MAX_BYTES=%d"
                .formatted(MODEL.length, MODEL.length - 1));
    assertThatThrownBy(() -> small.fetch(url("/unsized.onnx"), Optional.empty(), dir.resolve("b")))
        .hasMessageContaining(
            "the file has more than %d bytes, more than the most a fetch takes"
                .formatted(MODEL.length - 1));
    assertThat(calls).as("once each").hasValue(2);
    assertThat(dir.resolve("b.partial")).doesNotExist();
    assertThat(dir.resolve("b")).doesNotExist();
  }

  @Test
  void theFetchCommandTakesItsBoundFromTheEnvironmentAndSaysWhyInOneLine() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        FetchCommand.run(
            new String[] {"--uri", url("/model.onnx"), "--dest", dir.resolve("m").toString()},
            Map.of("MODELOPS_FETCH_MAX_BYTES", "10"),
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err));
    assertThat(exit).isOne();
    assertThat(err.toString())
        .startsWith("ModelFetchFailed: GET http://127.0.0.1:")
        .contains("MODELOPS_FETCH_MAX_BYTES=10")
        .doesNotContain("secret")
        .hasLineCount(1);
    assertThat(FetchCommand.policy(Map.of()).maxBytes()).isEqualTo(8L << 30);
    assertThatThrownBy(() -> FetchCommand.policy(Map.of("MODELOPS_FETCH_MAX_BYTES", "8Gi")))
        .hasMessageContaining("MODELOPS_FETCH_MAX_BYTES must be a positive number of bytes");
  }

  @Test
  void linkLocalAddressesAreRefusedBeforeAnythingIsSentAndTheListIsConfigurable() {
    // The default list holds the cloud's instance metadata address. Checked as a rule only: a test
    // sends nothing anywhere but loopback, even if the check were broken.
    DeniedNetworks defaults = DeniedNetworks.parse(DeniedNetworks.DEFAULT_TEXT);
    assertThat(defaults.denial("169.254.169.254"))
        .hasValueSatisfying(d -> assertThat(d).contains("169.254.169.254 is in 169.254.0.0/16"));
    assertThat(defaults.denial("fe80::1")).isPresent();
    assertThat(defaults.denial("127.0.0.1")).isEmpty();
    // Loopback stands in for a denied network (a cluster's own ranges can be added so): refused
    // before a connection, directly and on a redirect's hop.
    ModelFetcher noLoopback =
        new ModelFetcher(
            FAST.withDenied(DeniedNetworks.parse(DeniedNetworks.DEFAULT_TEXT + ", 127.0.0.0/8")));
    assertThatThrownBy(
            () -> noLoopback.fetch(url("/model.onnx"), Optional.empty(), dir.resolve("c")))
        .hasMessageContaining("127.0.0.1 is in 127.0.0.0/8")
        .hasMessageContaining("MODELOPS_FETCH_DENIED_NETWORKS");
    assertThat(calls).as("nothing was asked of the denied address").hasValue(0);
    ModelFetcher loopbackOnlyOnTheHop =
        new ModelFetcher(
            FAST.withDenied(DeniedNetworks.parse(DeniedNetworks.DEFAULT_TEXT + ", 127.0.0.2/32")));
    assertThatThrownBy(
            () ->
                loopbackOnlyOnTheHop.fetch(
                    url("/elsewhere/http://127.0.0.2:1/model.onnx"),
                    Optional.empty(),
                    dir.resolve("b")))
        .hasMessageContaining("127.0.0.2 is in 127.0.0.2/32");
    assertThat(calls).as("only the redirect was asked for").hasValue(1);
    assertThatThrownBy(() -> DeniedNetworks.parse("10.0.0.0/8,cluster"))
        .hasMessageContaining("MODELOPS_FETCH_DENIED_NETWORKS: 'cluster' is no network in CIDR");
    assertThat(DeniedNetworks.parse("").denial("169.254.169.254")).isEmpty();
  }
}
