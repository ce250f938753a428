package dev.modelops.runtime.protocol;

import dev.modelops.runtime.config.RuntimeConfig;
import dev.modelops.runtime.metrics.RuntimeMetrics;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * With a token configured, every V2 endpoint but the health ones and the drift report answers only
 * requests that bear it ({@code Authorization: Bearer <token>}); the others get a 401 with a V2
 * error body and {@code WWW-Authenticate: Bearer}. Open: {@code /v2/health/*} (probes, and clients
 * looking for a ready server), the drift report and {@code /q/*} (the operator reads them by pod
 * IP, without the token), unless metrics are protected too.
 */
@ApplicationScoped
public class BearerAuth {

  private static final Logger LOG = Logger.getLogger(BearerAuth.class);

  /** What needs no token: the health endpoints and the drift report (with or without version). */
  static final Pattern OPEN =
      Pattern.compile("/v2/health/(live|ready)|/v2/models/[^/]+(/versions/[^/]+)?/drift");

  static final Pattern INFER = Pattern.compile("/v2/models/[^/]+(/versions/[^/]+)?/infer");

  private static final Pattern BEARER = Pattern.compile("(?i)bearer +(\\S+) *");

  @Inject RuntimeConfig config;
  @Inject RuntimeMetrics metrics;

  /** SHA-256 of the token: compared in constant time with the digest of what a request bears. */
  private byte[] expected;

  void register(@Observes Router router) {
    Optional<byte[]> token = token(config.auth().token(), config.auth().required());
    if (token.isEmpty()) {
      LOG.info("authentication: off, every endpoint is open (set MODELOPS_AUTH_TOKEN for it)");
      return;
    }
    expected = token.get();
    boolean metricsToo = config.auth().protectMetrics();
    LOG.infof(
        "authentication: the V2 endpoints ask for a bearer token; open without it: /v2/health/*,"
            + " the drift report%s",
        metricsToo ? "" : ", /q/metrics");
    // Before every route that serves a request (they have orders from 0), after Quarkus' own.
    router
        .routeWithRegex("/v2(/.*)?")
        .order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1)
        .handler(this::check);
    if (metricsToo) {
      router
          .route("/q/metrics")
          .order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1)
          .handler(this::check);
    }
  }

  /**
   * The digest of the configured token, or empty for no authentication; a token that is required
   * and missing or blank stops the start (an empty Secret value must not open the server).
   */
  static Optional<byte[]> token(Optional<String> configured, boolean required) {
    Optional<String> token = configured.map(String::strip).filter(t -> !t.isEmpty());
    if (token.isEmpty() && required) {
      throw new IllegalStateException(
          "MODELOPS_AUTH_REQUIRED is true but MODELOPS_AUTH_TOKEN is missing or empty: the"
              + " Secret's key named by spec.runtime.auth.tokenSecretRef holds no token");
    }
    if (token.isPresent() && token.get().chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalStateException(
          "MODELOPS_AUTH_TOKEN holds a space or a character that is not printable ASCII; an HTTP"
              + " client cannot send it in a bearer Authorization header");
    }
    return token.map(BearerAuth::digest);
  }

  private void check(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    Optional<String> refused =
        OPEN.matcher(path).matches()
            ? Optional.empty()
            : refusal(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    if (refused.isEmpty()) {
      ctx.next();
      return;
    }
    long start = System.nanoTime();
    // The body that may still come is read and dropped: the connection stays usable.
    ctx.request().handler(chunk -> {});
    ctx.request().resume();
    if (INFER.matcher(path).matches()) {
      String protocol =
          ctx.request().getHeader(InferRoute.HEADER_LENGTH) == null ? "json" : "binary";
      metrics.request(protocol, Duration.ofNanos(System.nanoTime() - start), "unauthorized");
    }
    ctx.response()
        .setStatusCode(401)
        .putHeader("WWW-Authenticate", "Bearer")
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(V2Errors.json(refused.get()));
  }

  /**
   * Why a request with this Authorization header is refused, or empty when it bears the token
   * (compared in constant time: digests of equal length, {@link MessageDigest#isEqual}).
   */
  Optional<String> refusal(String authorization) {
    if (authorization == null) {
      return Optional.of(
          "this endpoint asks for a bearer token: send the header 'Authorization: Bearer <token>'");
    }
    var bearer = BEARER.matcher(authorization);
    if (!bearer.matches()) {
      return Optional.of(
          "the Authorization header is not 'Bearer <token>'; this server takes bearer tokens only");
    }
    if (!MessageDigest.isEqual(digest(bearer.group(1)), expected)) {
      return Optional.of("the bearer token is not the one this server takes");
    }
    return Optional.empty();
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
