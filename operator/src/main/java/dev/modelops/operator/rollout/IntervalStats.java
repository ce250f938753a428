package dev.modelops.operator.rollout;

import dev.modelops.operator.analysis.Predictions;
import dev.modelops.operator.analysis.TrainedOutputs;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one revision's pods answered over one analysis interval.
 *
 * @param requests inference requests answered
 * @param errors of those, server errors (a client's bad requests are not the model's fault)
 * @param p99Seconds the 99th-percentile latency, absent without requests
 * @param predictions the predictions answered, by bin
 * @param trained the revision's recent predictions beside its training labels, when its baseline
 *     gives them (read only when the analysis compares predictions)
 */
public record IntervalStats(
    long requests,
    long errors,
    OptionalDouble p99Seconds,
    Predictions predictions,
    Optional<TrainedOutputs> trained) {

  public static final IntervalStats NONE = new IntervalStats(0, 0, OptionalDouble.empty());

  public IntervalStats(long requests, long errors, OptionalDouble p99Seconds) {
    this(requests, errors, p99Seconds, Predictions.NONE, Optional.empty());
  }

  public IntervalStats(
      long requests, long errors, OptionalDouble p99Seconds, Predictions predictions) {
    this(requests, errors, p99Seconds, predictions, Optional.empty());
  }

  public IntervalStats with(Optional<TrainedOutputs> trained) {
    return new IntervalStats(requests, errors, p99Seconds, predictions, trained);
  }

  /** Errors over requests; absent without requests (never NaN). */
  public Optional<Double> errorRate() {
    return requests == 0 ? Optional.empty() : Optional.of((double) errors / requests);
  }

  String errorRateText() {
    return errorRate().map(r -> String.format(Locale.ROOT, "%.4f", r)).orElse(null);
  }

  String p99Text() {
    return p99Seconds.isPresent()
        ? GoDuration.format(java.time.Duration.ofNanos(Math.round(p99Seconds.getAsDouble() * 1e9)))
        : null;
  }
}
