package dev.modelops.runtime.metrics;

import dev.modelops.runtime.config.RuntimeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The runtime's Prometheus metrics, labelled by model and revision: counters and histograms that
 * canary analysis reads as rates and quantiles.
 */
@ApplicationScoped
public class RuntimeMetrics {

  @Inject MeterRegistry registry;
  @Inject RuntimeConfig config;

  private final AtomicInteger cuda = new AtomicInteger();
  private final AtomicInteger cpu = new AtomicInteger();
  private final AtomicInteger modelReady = new AtomicInteger();

  /**
   * The meters of {@link #request}, registered once for each protocol and outcome (the hot path's
   * other meters are each a {@link Once}): a builder and a registry lookup per request (tags
   * sorted, an id hashed) were about 2% of a small request's CPU (docs/benchmarks.md, "Where one
   * request's time goes").
   */
  private final Map<String, RequestMeters> requestMeters = new ConcurrentHashMap<>();

  private final Once<Timer> requestDuration =
      new Once<>(
          () ->
              Timer.builder("modelops_inference_request_duration")
                  .description("Time from request to response, in seconds")
                  .tags("model", model(), "revision", revision())
                  .publishPercentileHistogram()
                  .minimumExpectedValue(Duration.ofNanos(50_000))
                  .maximumExpectedValue(Duration.ofSeconds(10))
                  .register(registry));

  private final Once<Timer> queueDuration =
      new Once<>(
          () ->
              Timer.builder("modelops_batch_queue_duration")
                  .description("Time a request waited for its batch, in seconds")
                  .tags("model", model(), "revision", revision())
                  .publishPercentileHistogram()
                  .minimumExpectedValue(Duration.ofNanos(10_000))
                  .maximumExpectedValue(Duration.ofSeconds(1))
                  .register(registry));

  private final Once<DistributionSummary> batchRows =
      new Once<>(
          () ->
              DistributionSummary.builder("modelops_batch_size")
                  .description("Rows in each model run")
                  .tags("model", model(), "revision", revision())
                  .publishPercentileHistogram()
                  .minimumExpectedValue(1.0)
                  .maximumExpectedValue(4096.0)
                  .register(registry));

  private final Once<DistributionSummary> batchRequests =
      new Once<>(
          () ->
              DistributionSummary.builder("modelops_batch_requests")
                  .description("Requests merged into each model run")
                  .tags("model", model(), "revision", revision())
                  .register(registry));

  /** A request's counter, and the error counter too when its outcome is not a success. */
  private record RequestMeters(Counter requests, Counter errors) {}

  private String model() {
    return config.model().name();
  }

  private String revision() {
    return config.revision();
  }

  /** One answered inference request, with its latency and outcome. */
  public void request(String protocol, Duration latency, String outcome) {
    RequestMeters meters =
        requestMeters.computeIfAbsent(
            protocol + '\n' + outcome, key -> requestMeters(protocol, outcome));
    meters.requests().increment();
    if (meters.errors() != null) {
      meters.errors().increment();
    }
    requestDuration.get().record(latency);
  }

  private RequestMeters requestMeters(String protocol, String outcome) {
    Counter requests =
        Counter.builder("modelops_inference_requests")
            .description("Inference requests answered, by outcome (success or an error kind)")
            .tags(
                "model", model(), "revision", revision(), "protocol", protocol, "outcome", outcome)
            .register(registry);
    Counter errors =
        "success".equals(outcome)
            ? null
            : Counter.builder("modelops_inference_errors")
                .description("Inference requests that failed, by kind")
                .tags("model", model(), "revision", revision(), "kind", outcome)
                .register(registry);
    return new RequestMeters(requests, errors);
  }

  /**
   * A request refused by admission control, by the bound it met: in_flight_bytes, queue_length or
   * queue_deadline.
   */
  public void rejected(String bound) {
    Counter.builder("modelops_admission_rejections")
        .description("Requests refused by admission control, by the bound they met")
        .tags("model", model(), "revision", revision(), "bound", bound)
        .register(registry)
        .increment();
  }

  /** Bytes of request bodies the server holds now. */
  public void inFlightBytes(LongSupplier held) {
    Gauge.builder("modelops_in_flight_request_bytes", held::getAsLong)
        .description("Bytes of request bodies held, from the first byte read to the answer")
        .tags("model", model(), "revision", revision())
        .register(registry);
  }

  /** Requests waiting in the batch queue now. */
  public void queueLength(IntSupplier queued) {
    Gauge.builder("modelops_batch_queue_length", queued::getAsInt)
        .description("Requests waiting in the batch queue for a model run")
        .tags("model", model(), "revision", revision())
        .register(registry);
  }

  /** One model run of a batch: its rows and how many requests it merged. */
  public void batch(int requests, long rows) {
    batchRows.get().record(rows);
    batchRequests.get().record(requests);
  }

  /** A merged model run failed and was split in halves to find the request that fails it. */
  public void batchSplit() {
    Counter.builder("modelops_batch_splits")
        .description("Merged model runs that failed and were split to find the failing request")
        .tags("model", model(), "revision", revision())
        .register(registry)
        .increment();
  }

  /** How long one request waited for its batch to run. */
  public void queued(Duration queued) {
    queueDuration.get().record(queued);
  }

  public void loaded(double seconds) {
    modelReady.set(1);
    registry.gauge(
        "modelops_model_ready",
        io.micrometer.core.instrument.Tags.of("model", model(), "revision", revision()),
        modelReady);
    Timer.builder("modelops_model_load_duration")
        .description("Time to fetch, load and warm up the model, in seconds")
        .tags("model", model(), "revision", revision())
        .register(registry)
        .record(Duration.ofNanos((long) (seconds * 1e9)));
  }

  public void loadFailed() {
    modelReady.set(0);
    registry.gauge(
        "modelops_model_ready",
        io.micrometer.core.instrument.Tags.of("model", model(), "revision", revision()),
        modelReady);
    Counter.builder("modelops_model_load_failures")
        .description("Failed attempts to load the model")
        .tags("model", model(), "revision", revision())
        .register(registry)
        .increment();
  }

  /** 1 for the execution provider in use, 0 for the other. */
  public void executionProvider(String provider) {
    cuda.set("cuda".equals(provider) ? 1 : 0);
    cpu.set("cpu".equals(provider) ? 1 : 0);
    registry.gauge(
        "modelops_execution_provider",
        io.micrometer.core.instrument.Tags.of("provider", "cuda"),
        cuda);
    registry.gauge(
        "modelops_execution_provider",
        io.micrometer.core.instrument.Tags.of("provider", "cpu"),
        cpu);
  }

  /**
   * A meter of the hot path, built on its first use and kept. Registering an existing meter returns
   * it, so two threads building it at once get the same meter.
   */
  private static final class Once<M> {
    private final Supplier<M> build;
    private volatile M meter;

    Once(Supplier<M> build) {
      this.build = build;
    }

    M get() {
      M built = meter;
      if (built == null) {
        built = build.get();
        meter = built;
      }
      return built;
    }
  }
}
