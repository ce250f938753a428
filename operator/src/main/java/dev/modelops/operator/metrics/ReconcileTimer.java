package dev.modelops.operator.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How long reconciles take, as one histogram for the whole operator: {@code
 * modelops_reconcile_duration_seconds}, so quantiles over every ModelDeployment come from one
 * series whatever their number (JOSDK's own timers are one series per ModelDeployment, without
 * buckets). The scale benchmark reads its p50 and p99 from it.
 */
@ApplicationScoped
public class ReconcileTimer {

  @Inject MeterRegistry registry;

  private volatile Timer timer;

  /** Runs one reconcile and records its time, also when it throws. */
  public <T> T time(Supplier<T> reconcile) {
    long start = System.nanoTime();
    try {
      return reconcile.get();
    } finally {
      timer().record(Duration.ofNanos(System.nanoTime() - start));
    }
  }

  private Timer timer() {
    Timer t = timer;
    if (t == null) {
      t =
          Timer.builder("modelops_reconcile_duration")
              .description("Time of one reconcile of a ModelDeployment, in seconds")
              .publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofNanos(100_000))
              .maximumExpectedValue(Duration.ofSeconds(30))
              .register(registry);
      timer = t;
    }
    return t;
  }
}
