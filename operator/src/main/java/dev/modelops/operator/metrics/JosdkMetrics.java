package dev.modelops.operator.metrics;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * JOSDK's reconciliation metrics ({@code operator_sdk_*}), made from the application's registry.
 *
 * <p>The Quarkus extension's own producer hands out the metrics it built when Micrometer called its
 * {@code MeterBinder}; when the operator asked first, it got none, and no {@code operator_sdk_*}
 * series was ever exposed (seen in one of several fresh-clone runs: a scrape without them, an idle
 * test waiting for a counter that never moved; see also quarkiverse/quarkus-operator-sdk#1385).
 * Asking for the registry here makes the order certain.
 *
 * <p>Without per-resource metrics: JOSDK's per-resource collection gives every ModelDeployment its
 * own reconcile histogram (69 buckets) and counters, about 80 series each, 80,000 at 1,000 of them
 * (measured with operator/bench/scale.sh). The aggregate series are the same names without the
 * {@code name} and {@code namespace} labels, about 80 in all; a ModelDeployment's own state is in
 * the {@code modelops_modeldeployment_*} gauges.
 */
public class JosdkMetrics {

  @Produces
  @Singleton
  Metrics metrics(MeterRegistry registry) {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }
}
