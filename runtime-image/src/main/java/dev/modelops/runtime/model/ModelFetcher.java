package dev.modelops.runtime.model;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Brings a model file to a local path: from a path, file:// or http(s):// with timeouts and
 * retries, and checks its SHA-256 on the way. A mismatch is never retried: the file is wrong.
 */
public final class ModelFetcher {

  private static final Logger LOG = Logger.getLogger(ModelFetcher.class);

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("fetch-watchdog").daemon().factory());

  /**
   * Timeouts, retries and bounds of downloads; {@code readTimeout} is the longest wait for the
   * response and then for each next byte of the body, {@code maxBytes} the largest file taken, and
   * {@code maxRedirects} the most redirects followed.
   */
  public record Policy(
      Duration connectTimeout,
      Duration readTimeout,
      int attempts,
      Duration backoff,
      long maxBytes,
      int maxRedirects,
      DeniedNetworks denied) {

    /** Where the fetch step reads the largest model file it downloads. */
    public static final String MAX_BYTES_ENV = "MODELOPS_FETCH_MAX_BYTES";

    /** 8 GiB: larger than most ONNX files (protobuf caps one at 2 GiB without external data). */
    public static final long DEFAULT_MAX_BYTES = 8L << 30;

    public static final Policy DEFAULT =
        new Policy(Duration.ofSeconds(10), Duration.ofMinutes(10), 4, Duration.ofSeconds(1));

    public Policy(Duration connectTimeout, Duration readTimeout, int attempts, Duration backoff) {
      this(
          connectTimeout,
          readTimeout,
          attempts,
          backoff,
          DEFAULT_MAX_BYTES,
          5,
          DeniedNetworks.DEFAULT);
    }

    public Policy withMaxBytes(long bytes) {
      return new Policy(
          connectTimeout, readTimeout, attempts, backoff, bytes, maxRedirects, denied);
    }

    public Policy withDenied(DeniedNetworks networks) {
      return new Policy(
          connectTimeout, readTimeout, attempts, backoff, maxBytes, maxRedirects, networks);
    }
  }

  /** A failure that names its cause in one line, for logs, readiness and termination messages. */
  public static class FetchException extends IOException {
    public FetchException(String message) {
      super(message);
    }
  }

  /** The file's SHA-256 differs from the expected one. */
  public static final class ChecksumMismatchException extends FetchException {
    public ChecksumMismatchException(String source, String expected, String actual) {
      super("sha256 mismatch for %s: expected %s, got %s".formatted(source, expected, actual));
    }
  }

  /** Where the fetch step finds the HTTP Authorization header's value (from a Secret). */
  public static final String AUTHORIZATION_ENV = "MODELOPS_FETCH_AUTHORIZATION";

  private final Policy policy;
  private final Optional<String> authorization;

  public ModelFetcher(Policy policy) {
    this(policy, Optional.empty());
  }

  /**
   * A fetcher that sends {@code authorization} as the HTTP Authorization header. It follows no
   * redirect then: the header would go to another server.
   */
  public ModelFetcher(Policy policy, Optional<String> authorization) {
    this.policy = policy;
    this.authorization = authorization.filter(a -> !a.isBlank());
  }

  /**
   * Makes the model available at a local path: a local file is used in place (after its checksum is
   * checked), a remote one is downloaded to {@code dest}.
   */
  public Path fetch(String source, Optional<String> sha256, Path dest) throws FetchException {
    Optional<String> expected = sha256.map(s -> s.toLowerCase(Locale.ROOT));
    URI uri = toUri(source);
    String scheme = uri.getScheme() == null ? "file" : uri.getScheme();
    return switch (scheme) {
      case "file" ->
          verifyLocal(Path.of(uri.getScheme() == null ? source : uri.getPath()), expected);
      case "http", "https" -> download(uri, expected, dest);
      default ->
          throw new FetchException(
              "unsupported model source scheme '"
                  + scheme
                  + "' in "
                  + redact(source)
                  + ": use a path, file://, http:// or https://");
    };
  }

  private static URI toUri(String source) throws FetchException {
    if (source.startsWith("/")) {
      return URI.create("file://" + source.replace(" ", "%20"));
    }
    try {
      return URI.create(source);
    } catch (IllegalArgumentException e) {
      throw new FetchException("not a valid model source: " + redact(source));
    }
  }

  private static Path verifyLocal(Path path, Optional<String> expected) throws FetchException {
    if (!Files.isRegularFile(path)) {
      throw new FetchException("model file " + path + " does not exist or is not a file");
    }
    if (expected.isPresent()) {
      try (InputStream in = Files.newInputStream(path)) {
        String actual = digest(in, OutputStream.nullOutputStream());
        if (!actual.equals(expected.get())) {
          throw new ChecksumMismatchException(path.toString(), expected.get(), actual);
        }
      } catch (ChecksumMismatchException e) {
        throw e;
      } catch (IOException e) {
        throw new FetchException("cannot read model file " + path + ": " + e.getMessage());
      }
    }
    return path;
  }

  private Path download(URI uri, Optional<String> expected, Path dest) throws FetchException {
    String lastError = "no attempt made";
    for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
      try (HttpClient client =
          HttpClient.newBuilder()
              .connectTimeout(policy.connectTimeout())
              .followRedirects(HttpClient.Redirect.NEVER)
              .build()) {
        return downloadOnce(client, uri, expected, dest);
      } catch (ChecksumMismatchException e) {
        throw e;
      } catch (PermanentFailure e) {
        throw new FetchException(e.getMessage());
      } catch (IOException e) {
        lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        LOG.warnf(
            "fetching %s, attempt %d of %d failed: %s",
            redact(uri), attempt, policy.attempts(), lastError);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new FetchException("interrupted while fetching " + redact(uri));
      }
      if (attempt < policy.attempts()) {
        sleep(policy.backoff().multipliedBy(1L << (attempt - 1)));
      }
    }
    throw new FetchException(
        "GET %s failed after %d attempts: %s".formatted(redact(uri), policy.attempts(), lastError));
  }

  /** A status that no retry will change (404, 403, ...). */
  private static final class PermanentFailure extends IOException {
    PermanentFailure(String message) {
      super(message);
    }
  }

  private Path downloadOnce(HttpClient client, URI uri, Optional<String> expected, Path dest)
      throws IOException, InterruptedException {
    HttpResponse<InputStream> response = follow(client, uri);
    URI source = response.uri();
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status >= 400) {
        String message = "GET %s: HTTP %d".formatted(redact(source), status);
        if (status >= 500 || status == 408 || status == 429) {
          throw new IOException(message);
        }
        throw new PermanentFailure(message);
      }
      long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (declared > policy.maxBytes()) {
        throw tooLarge(source, "is %d bytes".formatted(declared));
      }
      Files.createDirectories(dest.toAbsolutePath().getParent());
      Path partial = dest.resolveSibling(dest.getFileName() + ".partial");
      String actual;
      try (OutputStream out = Files.newOutputStream(partial)) {
        actual = digestWatched(client, body, out, source);
      } catch (IOException e) {
        Files.deleteIfExists(partial);
        throw e;
      }
      if (expected.isPresent() && !actual.equals(expected.get())) {
        Files.deleteIfExists(partial);
        throw new ChecksumMismatchException(redact(source), expected.get(), actual);
      }
      try {
        Files.move(
            partial, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (java.nio.file.FileSystemException e) {
        if (!Files.isRegularFile(dest)) {
          Files.deleteIfExists(partial);
          throw e;
        }
        // A file mounted on its own (a container's termination-message file, which a retraining
        // Job's report is written to) cannot be replaced, only written: the checked bytes go
        // into it.
        try (OutputStream out = Files.newOutputStream(dest)) {
          Files.copy(partial, out);
        } finally {
          Files.deleteIfExists(partial);
        }
      }
      LOG.infof("fetched %s to %s (sha256 %s)", redact(source), dest, actual);
      return dest;
    }
  }

  /**
   * Sends the GET and follows redirects itself, up to the policy's number, checking each host
   * against the denied networks: never from https to http (or to any other scheme), and never with
   * the Authorization header, which would go to wherever Location says.
   */
  private HttpResponse<InputStream> follow(HttpClient client, URI uri)
      throws IOException, InterruptedException {
    URI at = uri;
    for (int redirects = 0; ; redirects++) {
      URI here = at;
      Optional<String> denied = policy.denied().denial(here.getHost());
      if (denied.isPresent()) {
        throw new PermanentFailure(
            "GET %s refused: %s, a network models are not fetched from (%s)"
                .formatted(redact(here), denied.get(), DeniedNetworks.ENV));
      }
      HttpRequest.Builder request =
          HttpRequest.newBuilder(here).timeout(policy.readTimeout()).GET();
      authorization.ifPresent(value -> request.header("Authorization", value));
      HttpResponse<InputStream> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      int status = response.statusCode();
      if (status < 300 || status >= 400) {
        return response;
      }
      response.body().close();
      if (authorization.isPresent()) {
        throw new PermanentFailure(
            "GET %s: HTTP %d, a redirect not followed: with spec.model.authorizationSecretRef the"
                    .formatted(redact(here), status)
                + " Authorization header goes to the URI's own server only; use the final URI");
      }
      Optional<String> location = response.headers().firstValue("Location");
      if (location.isEmpty() || status == 304) {
        throw new PermanentFailure(
            "GET %s: HTTP %d without a Location to follow".formatted(redact(here), status));
      }
      URI next;
      try {
        next = here.resolve(location.get().strip());
      } catch (IllegalArgumentException e) {
        throw new PermanentFailure(
            "GET %s: HTTP %d to a Location that is no URI".formatted(redact(here), status));
      }
      if (!redirectAllowed(here, next)) {
        throw new PermanentFailure(
            "GET %s: HTTP %d to a %s URI, refused: a redirect may go from http to https, never"
                    .formatted(redact(here), status, next.getScheme())
                + " from https to http or to another scheme");
      }
      if (redirects >= policy.maxRedirects()) {
        throw new PermanentFailure(
            "GET %s: more than %d redirects, refused"
                .formatted(redact(uri), policy.maxRedirects()));
      }
      at = next;
    }
  }

  /** To https from http(s), or from http to http: never down to http, nor to another scheme. */
  static boolean redirectAllowed(URI from, URI to) {
    String scheme = String.valueOf(to.getScheme()).toLowerCase(Locale.ROOT);
    return scheme.equals("https")
        || (scheme.equals("http") && "http".equalsIgnoreCase(from.getScheme()));
  }

  private PermanentFailure tooLarge(URI source, String size) {
    return new PermanentFailure(
        "GET %s: the file %s, more than the most a fetch takes, %s=%d (spec.model.maxSize)"
            .formatted(redact(source), size, Policy.MAX_BYTES_ENV, policy.maxBytes()));
  }

  /**
   * {@link #digest} of a response body that fails when no byte comes for the read timeout: a
   * transfer that stalls halfway is retried instead of holding the pod's start forever.
   */
  private String digestWatched(HttpClient client, InputStream body, OutputStream out, URI source)
      throws IOException {
    AtomicLong lastByte = new AtomicLong(System.nanoTime());
    AtomicBoolean stalled = new AtomicBoolean();
    long limit = policy.readTimeout().toNanos();
    long period = Math.max(10, policy.readTimeout().toMillis() / 4);
    ScheduledFuture<?> watch =
        WATCHDOG.scheduleAtFixedRate(
            () -> {
              if (System.nanoTime() - lastByte.get() > limit
                  && stalled.compareAndSet(false, true)) {
                client.shutdownNow();
              }
            },
            period,
            period,
            TimeUnit.MILLISECONDS);
    InputStream progress =
        new FilterInputStream(body) {
          private long read;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            lastByte.set(System.nanoTime());
            read += Math.max(0, n);
            if (read > policy.maxBytes()) {
              // A server that declared no length, or a smaller one than it sends.
              throw tooLarge(source, "has more than %d bytes".formatted(policy.maxBytes()));
            }
            return n;
          }
        };
    try {
      return digest(progress, out);
    } catch (IOException e) {
      if (stalled.get()) {
        throw new IOException(
            "the transfer stalled: no data for " + policy.readTimeout().toMillis() + " ms");
      }
      throw e;
    } finally {
      watch.cancel(false);
    }
  }

  static String digest(InputStream in, OutputStream out) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (DigestInputStream digesting = new DigestInputStream(in, sha)) {
        digesting.transferTo(out);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Pattern USER_INFO =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\\s]*@");
  // A query or fragment wherever it is: the parser's message may have cut the URI anywhere.
  private static final Pattern QUERY = Pattern.compile("[?#]\\S+");

  /**
   * Text with every URI in it shown without user info or query, which may hold credentials (a
   * presigned URL's token): each is replaced by {@code ***}. For messages that quote a URI the
   * parser refused, such as an IllegalArgumentException's.
   */
  static String redact(String text) {
    return QUERY.matcher(USER_INFO.matcher(text).replaceAll("$1***@")).replaceAll("?***");
  }

  /** A URI without user info or query, which may hold credentials. */
  static String redact(URI uri) {
    return uri.getScheme()
        + "://"
        + uri.getHost()
        + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
        + uri.getPath();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
