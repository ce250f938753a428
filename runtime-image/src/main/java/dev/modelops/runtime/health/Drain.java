package dev.modelops.runtime.health;

import dev.modelops.runtime.config.RuntimeConfig;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The runtime's part of a graceful shutdown; Quarkus does the rest (application.properties). On
 * SIGTERM Quarkus starts its shutdown delay ({@code modelops.drain.delay}) and fires {@link
 * ShutdownDelayInitiatedEvent}: SmallRye Health's readiness, and so {@code /v2/health/ready}, is
 * down from then on while liveness and every other endpoint answer as usual. Then Quarkus refuses
 * new requests and waits for those in flight ({@code modelops.drain.timeout}), and only then fires
 * the ShutdownEvent on which the model's session closes. A ShutdownEvent observer alone would be
 * too late: without the delay and the timeout, Quarkus closes the HTTP server as it fires it.
 *
 * <p>Here: the log line, {@code Connection: close} on every HTTP/1 answer of the delay, so that a
 * client holding a connection open (the Service's kube-proxy balances connections, not requests)
 * opens a new one and reaches a pod that stays, and the time left for runs when the session closes.
 */
@ApplicationScoped
public class Drain {

  private static final Logger LOG = Logger.getLogger(Drain.class);

  @Inject RuntimeConfig config;

  /** System.nanoTime() when the shutdown delay began; 0 while serving. */
  private volatile long began;

  void start(@Observes ShutdownDelayInitiatedEvent event) {
    began = System.nanoTime();
    LOG.infof(
        "shutting down: not ready from now; requests are served %ss more while Kubernetes takes"
            + " the pod out of its endpoints, then those in flight get up to %ss to finish",
        seconds(config.drain().delay()), seconds(config.drain().timeout()));
  }

  private static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
  }

  void register(@Observes Router router) {
    router.route().order(Integer.MIN_VALUE).handler(this::closeConnectionWhileDraining);
  }

  private void closeConnectionWhileDraining(RoutingContext ctx) {
    if (began != 0 && ctx.request().version() != HttpVersion.HTTP_2) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      ctx.addEndHandler(end -> ctx.request().connection().close());
    }
    ctx.next();
  }

  /** Whether a SIGTERM came: refusals past admission bounds are 503s from then on, not 429s. */
  public boolean draining() {
    return began != 0;
  }

  /**
   * How long model runs may still take: until the end of the delay and the timeout after it, or the
   * whole timeout when the shutdown came without a delay.
   */
  public Duration timeLeft() {
    long start = began;
    if (start == 0) {
      return config.drain().timeout();
    }
    Duration spent = Duration.ofNanos(System.nanoTime() - start);
    Duration left = config.drain().delay().plus(config.drain().timeout()).minus(spent);
    return left.isNegative() ? Duration.ZERO : left;
  }
}
