package dev.modelops.runtime.protocol;

import dev.modelops.runtime.config.AdmissionLimits;
import dev.modelops.runtime.config.RuntimeConfig;
import dev.modelops.runtime.drift.DriftMonitor;
import dev.modelops.runtime.drift.PredictionCounts;
import dev.modelops.runtime.health.Drain;
import dev.modelops.runtime.inference.InferRequest;
import dev.modelops.runtime.inference.InferenceException;
import dev.modelops.runtime.inference.Inferencer;
import dev.modelops.runtime.inference.Tensor;
import dev.modelops.runtime.metrics.RuntimeMetrics;
import dev.modelops.runtime.model.ModelRegistry;
import dev.modelops.runtime.model.ServedModel;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * {@code POST /v2/models/{name}[/versions/{v}]/infer} as a plain Vert.x route, ahead of the JAX-RS
 * resource that serves the other V2 endpoints: a small request costs what reading, running and
 * writing it cost, without a framework's handler chain around it (about a quarter of a small
 * request's CPU time when it went through RESTEasy Reactive).
 */
@ApplicationScoped
public class InferRoute {

  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private static final Logger LOG = Logger.getLogger(InferRoute.class);

  private static final Executor WORKERS = Infrastructure.getDefaultWorkerPool();

  @Inject ModelRegistry registry;
  @Inject Inferencer inferencer;
  @Inject RuntimeMetrics metrics;
  @Inject RuntimeConfig config;
  @Inject DriftMonitor drift;
  @Inject PredictionCounts predictions;
  @Inject Drain drain;

  /** Quarkus' own ceiling (application.properties); one request body is at most this. */
  static final long MAX_LIMIT = 2047L * 1024 * 1024;

  private InFlightBytes inFlight;
  private long maxRequestBytes;

  void register(@Observes Router router) {
    checkLimit(config.maxRequestBytes());
    AdmissionLimits limits = AdmissionLimits.of(config, Runtime.getRuntime().maxMemory());
    inFlight = new InFlightBytes(limits.maxInFlightBytes());
    maxRequestBytes = limits.maxRequestBytes();
    metrics.inFlightBytes(inFlight::held);
    LOG.infof(
        "admission: request bodies up to %d bytes, %d bytes of them in flight at once, %d requests"
            + " in the batch queue for at most %s each",
        limits.maxRequestBytes(),
        limits.maxInFlightBytes(),
        limits.maxQueue(),
        AdmissionLimits.text(limits.queueDeadline()));
    for (String path :
        new String[] {"/v2/models/:name/infer", "/v2/models/:name/versions/:version/infer"}) {
      router.route(HttpMethod.POST, path).handler(this::accept);
      router
          .route(path)
          .handler(
              ctx -> {
                ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
                error(ctx, 405, "method not allowed on this endpoint; infer takes POST");
              });
    }
  }

  /** Stops the start on a limit no request body can reach, rather than fail requests later. */
  static void checkLimit(long maxRequestBytes) {
    if (maxRequestBytes > MAX_LIMIT || maxRequestBytes < 1) {
      throw new IllegalStateException(
          "modelops.max-request-bytes is %d; it must be from 1 to %d (2047 MiB)"
              .formatted(maxRequestBytes, MAX_LIMIT));
    }
  }

  /** One request on its way: where to answer, since when, and the body bytes it holds. */
  private record Exchange(
      RoutingContext ctx, long start, String protocol, InFlightBytes.Reservation held) {}

  /**
   * Reads the body with the size limit and the bound on bytes in flight enforced as it arrives (a
   * declared length over either is refused before a byte is read), then answers on the event loop
   * when the request is small and the model fast ({@link Inferencer#inline}), else on a worker
   * thread.
   */
  private void accept(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String headerLength = request.getHeader(HEADER_LENGTH);
    Exchange exchange =
        new Exchange(
            ctx,
            System.nanoTime(),
            headerLength == null ? "json" : "binary",
            inFlight.reservation());
    long limit = maxRequestBytes;
    long declared = declaredLength(request);
    if (declared > limit) {
      // Answered at once; the body that still comes is read and dropped, so the client sees
      // the 413 and the connection stays usable.
      dropBody(request);
      refuseTooLarge(exchange, "%d bytes".formatted(declared), limit);
      return;
    }
    if (declared > 0 && !exchange.held().grow(declared)) {
      dropBody(request);
      refuseBusy(exchange, declared);
      return;
    }
    // The chunks as they come, joined once at the end: a declared length reserves no memory
    // before the bytes are there, and a large body is not copied again each time a buffer grows.
    Body body = new Body();
    request.handler(
        chunk -> {
          if (body.refused) {
            return;
          }
          long length = body.length + chunk.length();
          if (length > limit) {
            body.refuse();
            refuseTooLarge(exchange, "more than %d bytes".formatted(limit), limit);
            return;
          }
          long more = length - exchange.held().reserved();
          if (more > 0 && !exchange.held().grow(more)) {
            body.refuse();
            refuseBusy(exchange, more);
            return;
          }
          body.add(chunk);
        });
    request.exceptionHandler(
        failure -> {
          // The connection broke before the body ended: nothing to answer, nothing to hold.
          if (!body.refused) {
            body.refuse();
            exchange.held().release();
          }
        });
    request.endHandler(
        end -> {
          if (body.refused) {
            return;
          }
          boolean inline = inferencer.inline((int) body.length);
          Runnable answer =
              () ->
                  answer(
                      exchange,
                      ctx.pathParam("name"),
                      ctx.pathParam("version"),
                      body.join(),
                      headerLength,
                      inline);
          if (inline) {
            answer.run();
          } else {
            WORKERS.execute(answer);
          }
        });
    if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
      // A client that asks first (curl does for large bodies) sends the body only when told to.
      ctx.response().writeContinue();
    }
    request.resume();
  }

  private static void dropBody(HttpServerRequest request) {
    request.handler(chunk -> {});
    request.resume();
  }

  /** A request body as it arrives, read on one event loop. */
  private static final class Body {
    private List<Buffer> chunks = new ArrayList<>();
    long length;
    boolean refused;

    void add(Buffer chunk) {
      chunks.add(chunk);
      length += chunk.length();
    }

    void refuse() {
      refused = true;
      chunks = null;
    }

    /** The whole body, once; the chunks are let go. */
    byte[] join() {
      byte[] bytes = new byte[(int) length];
      int at = 0;
      for (Buffer chunk : chunks) {
        chunk.getBytes(bytes, at);
        at += chunk.length();
      }
      chunks = null;
      return bytes;
    }
  }

  /**
   * Decodes the request and runs it, where it was decoded ({@code onEventLoop}) only when its
   * inputs are no larger than the warm-up's run, else on a worker thread.
   */
  private void answer(
      Exchange exchange,
      String name,
      String version,
      byte[] body,
      String headerLength,
      boolean onEventLoop) {
    InferRequest request;
    try {
      request = read(body, headerLength);
    } catch (Exception e) {
      fail(exchange, e);
      return;
    } catch (Error e) {
      abandon(exchange, e);
      throw e;
    }
    if (onEventLoop && !inferencer.runInline(request)) {
      WORKERS.execute(() -> run(exchange, name, version, request));
    } else {
      run(exchange, name, version, request);
    }
  }

  /**
   * Runs the request and answers it. Whatever goes wrong, the caller is not left waiting: an
   * exception is answered with a V2 error body, an {@link Error} (out of memory, a stack overflow)
   * closes the connection and goes on up the thread that met it.
   */
  private void run(Exchange exchange, String name, String version, InferRequest request) {
    try {
      inferencer
          .infer(name, version, request)
          .whenComplete(
              (outputs, failure) -> {
                if (failure != null) {
                  settle(exchange, failure);
                  return;
                }
                try {
                  exchange.held().release();
                  respond(exchange.ctx(), request, outputs);
                  metrics.request(exchange.protocol(), since(exchange.start()), "success");
                  // After the answer is on its way: the request's latency does not include it.
                  drift.record(request.inputs(), outputs);
                  predictions.record(outputs);
                } catch (Exception e) {
                  fail(exchange, e);
                } catch (Error e) {
                  // Thrown on, it would only fail a future nobody reads: reported here instead.
                  abandon(exchange, e);
                  LOG.error("answering a request failed", e);
                }
              });
    } catch (Exception e) {
      fail(exchange, e);
    } catch (Error e) {
      abandon(exchange, e);
      throw e;
    }
  }

  /**
   * A failed inference future: an exception is answered, an {@link Error} abandons the request; it
   * was thrown on by the thread that met it (the batcher's), so it is not reported again.
   */
  private void settle(Exchange exchange, Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof Error e) {
      abandon(exchange, e);
    } else {
      fail(exchange, failure);
    }
  }

  /**
   * An {@link Error} is no answer a client could act on, so it gets none: the connection is closed,
   * so the client does not wait for ever, and the request's bytes are let go. With {@code
   * -XX:+ExitOnOutOfMemoryError} (the image's) a heap exhausted never gets here: the JVM has ended.
   */
  private void abandon(Exchange exchange, Error error) {
    exchange.held().release();
    metrics.request(exchange.protocol(), since(exchange.start()), "internal");
    LOG.errorf("request abandoned, its connection closed: %s", error);
    exchange.ctx().request().connection().close();
  }

  private void respond(RoutingContext ctx, InferRequest request, Map<String, Tensor> outputs) {
    ServedModel model = registry.model();
    InferResponseWriter.Encoded encoded =
        InferResponseWriter.write(model.name(), model.version(), request, outputs);
    var response = ctx.response().setStatusCode(200);
    if (encoded.jsonLength() != null) {
      response
          .putHeader(HEADER_LENGTH, encoded.jsonLength().toString())
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream");
    } else {
      response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    response.end(Buffer.buffer(encoded.body()));
  }

  /**
   * Answers with the failure's V2 error body, and lets go of the request's bytes. A refusal past an
   * admission bound is a 429 while serving and a 503 while draining, both with {@code Retry-After}.
   */
  private void fail(Exchange exchange, Throwable failure) {
    exchange.held().release();
    InferenceException e = V2Errors.asInferenceException(failure);
    int status = e.status;
    if (e instanceof InferenceException.Rejected rejected) {
      metrics.rejected(rejected.bound);
      if (status == 429 && drain.draining()) {
        status = 503;
      }
    }
    metrics.request(exchange.protocol(), since(exchange.start()), e.kind);
    if (e.retryAfterSeconds > 0 && !exchange.ctx().response().ended()) {
      exchange
          .ctx()
          .response()
          .putHeader(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds));
    }
    error(exchange.ctx(), status, e.getMessage());
  }

  private void refuseTooLarge(Exchange exchange, String size, long limit) {
    fail(
        exchange,
        new InferenceException(
            413, "too_large", "the request body has %s; the limit is %d".formatted(size, limit)));
  }

  private void refuseBusy(Exchange exchange, long bytes) {
    fail(
        exchange,
        InferenceException.overloaded(
            "in_flight_bytes",
            ("%d more bytes of request bodies would pass the bound on bytes in flight,"
                    + " MODELOPS_ADMISSION_MAX_IN_FLIGHT_BYTES=%d (%d held now); retry later")
                .formatted(bytes, inFlight.limit(), inFlight.held())));
  }

  private static void error(RoutingContext ctx, int status, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(V2Errors.json(message));
  }

  private static InferRequest read(byte[] body, String headerLength) {
    if (body.length == 0) {
      throw InferenceException.badRequest("the request body is empty");
    }
    return InferRequestReader.read(body, parseLength(headerLength));
  }

  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Integer parseLength(String header) {
    if (header == null) {
      return null;
    }
    try {
      return Integer.parseInt(header.trim());
    } catch (NumberFormatException e) {
      throw InferenceException.badRequest(
          HEADER_LENGTH + " must be a number of bytes, got '" + header + "'");
    }
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
