package dev.modelops.operator.analysis;

import dev.modelops.drift.DriftMeasures;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A revision's predictions by bin (the predicted class, or a score's tenth of [0, 1]) over an
 * interval, from the runtime's {@code modelops_inference_predictions_total}.
 */
public record Predictions(SortedMap<String, Long> counts) {

  public static final Predictions NONE = new Predictions(new TreeMap<>());

  static final String COUNTER = "modelops_inference_predictions_total";

  public Predictions {
    counts = new TreeMap<>(counts);
  }

  /** From counter values (a scrape's or a query's), rounded; negative and NaN values left out. */
  static Predictions of(Map<String, Double> values) {
    SortedMap<String, Long> counts = new TreeMap<>();
    values.forEach(
        (bin, value) -> {
          if (Double.isFinite(value) && value >= 0) {
            counts.put(bin, Math.round(value));
          }
        });
    return new Predictions(counts);
  }

  public long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The Jensen-Shannon distance in bits between the two distributions over the bins of either, from
   * 0 (the same proportions) to 1 (no bin in common).
   */
  public double distanceTo(Predictions other) {
    TreeSet<String> bins = new TreeSet<>(counts.keySet());
    bins.addAll(other.counts.keySet());
    long[] mine = bins.stream().mapToLong(b -> counts.getOrDefault(b, 0L)).toArray();
    long[] theirs = bins.stream().mapToLong(b -> other.counts.getOrDefault(b, 0L)).toArray();
    return DriftMeasures.jensenShannon(mine, theirs);
  }

  /** For a message: {@code 0: 120, 1: 3, 2: 0}. */
  @Override
  public String toString() {
    return counts.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
