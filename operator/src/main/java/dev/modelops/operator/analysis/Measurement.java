package dev.modelops.operator.analysis;

import java.util.Map;
import java.util.OptionalDouble;

/**
 * What a revision's pods answered during one analysis interval, from scrapes at its start and end.
 *
 * @param requests inference requests answered
 * @param errors those that failed on the server's side
 * @param latencyP99 the 99th percentile of their latency in seconds; empty without requests
 * @param predictions their predictions by bin
 */
public record Measurement(
    long requests, long errors, OptionalDouble latencyP99, Predictions predictions) {

  public Measurement(long requests, long errors, OptionalDouble latencyP99) {
    this(requests, errors, latencyP99, Predictions.NONE);
  }

  /**
   * The counters' growth between two scrapes of the same pods, by pod name. A pod missing at the
   * start began during the interval and counts from zero; a pod whose counters went down restarted
   * and counts from zero too, as Prometheus's rate() counts a counter that went down; a pod missing
   * at the end is left out.
   */
  public static Measurement between(Map<String, PodSample> start, Map<String, PodSample> end) {
    double requests = 0;
    double errors = 0;
    LatencyBuckets latency = LatencyBuckets.NONE;
    Map<String, Double> predictions = new java.util.HashMap<>();
    for (Map.Entry<String, PodSample> pod : end.entrySet()) {
      PodSample after = pod.getValue();
      PodSample before = start.getOrDefault(pod.getKey(), PodSample.NONE);
      if (after.restartedSince(before)) {
        before = PodSample.NONE;
      }
      requests += after.requests() - before.requests();
      errors += after.serverErrors() - before.serverErrors();
      latency = latency.plus(after.latency().minus(before.latency()));
      PodSample from = before;
      after
          .predictions()
          .forEach(
              (bin, count) ->
                  predictions.merge(
                      bin, count - from.predictions().getOrDefault(bin, 0.0), Double::sum));
    }
    return new Measurement(
        Math.round(requests),
        Math.round(errors),
        latency.quantile(0.99),
        Predictions.of(predictions));
  }

  /** Server errors per request, from 0 to 1; empty without requests, never NaN. */
  public OptionalDouble errorRate() {
    return requests == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) errors / requests);
  }
}
