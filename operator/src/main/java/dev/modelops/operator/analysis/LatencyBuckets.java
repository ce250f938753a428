package dev.modelops.operator.analysis;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A cumulative latency histogram as Prometheus exposes it: each bucket's upper bound in seconds
 * (the last one +Inf) to the count of requests that took at most that long.
 */
public record LatencyBuckets(NavigableMap<Double, Double> cumulative) {

  public static final LatencyBuckets NONE = new LatencyBuckets(new TreeMap<>());

  public LatencyBuckets {
    cumulative = Collections.unmodifiableNavigableMap(new TreeMap<>(cumulative));
  }

  /**
   * The count at a bound this histogram may not have: that of its highest bound below it, which is
   * what it knows for sure. Two histograms with different bounds still add up this way.
   */
  double countAt(double bound) {
    Map.Entry<Double, Double> below = cumulative.floorEntry(bound);
    return below == null ? 0 : below.getValue();
  }

  /** Whether some bucket counts fewer requests than it did in an earlier histogram. */
  boolean fellBelow(LatencyBuckets earlier) {
    return earlier.cumulative.keySet().stream().anyMatch(b -> countAt(b) < earlier.countAt(b));
  }

  /** The requests counted since an earlier histogram of the same counters. */
  LatencyBuckets minus(LatencyBuckets earlier) {
    NavigableMap<Double, Double> delta = new TreeMap<>();
    cumulative.forEach((bound, count) -> delta.put(bound, count - earlier.countAt(bound)));
    return new LatencyBuckets(delta);
  }

  /** The requests of two histograms together, at the bounds of either. */
  LatencyBuckets plus(LatencyBuckets other) {
    NavigableSet<Double> bounds = new TreeSet<>(cumulative.keySet());
    bounds.addAll(other.cumulative.keySet());
    NavigableMap<Double, Double> sum = new TreeMap<>();
    bounds.forEach(bound -> sum.put(bound, countAt(bound) + other.countAt(bound)));
    return new LatencyBuckets(sum);
  }

  /**
   * The latency below which a fraction q of the requests fall, as Prometheus's {@code
   * histogram_quantile} estimates it: linear interpolation inside the bucket that holds it (from 0
   * in the first bucket), and the highest finite bound when it falls in the +Inf bucket. Empty
   * without requests or without a +Inf bucket.
   *
   * @param q a fraction from 0 to 1
   */
  public OptionalDouble quantile(double q) {
    if (q < 0 || q > 1) {
      throw new IllegalArgumentException("a quantile is a fraction from 0 to 1, got " + q);
    }
    int n = cumulative.size();
    if (n < 2 || cumulative.lastKey() != Double.POSITIVE_INFINITY) {
      return OptionalDouble.empty();
    }
    double[] bounds = new double[n];
    double[] counts = new double[n];
    int i = 0;
    for (Map.Entry<Double, Double> bucket : cumulative.entrySet()) {
      bounds[i] = bucket.getKey();
      // A count below the bucket under it (a scrape taken mid-update) counts as that one.
      counts[i] = i == 0 ? bucket.getValue() : Math.max(bucket.getValue(), counts[i - 1]);
      i++;
    }
    double total = counts[n - 1];
    if (!(total > 0)) {
      return OptionalDouble.empty();
    }
    double rank = q * total;
    int b = 0;
    while (counts[b] < rank) {
      b++;
    }
    if (b == n - 1) {
      return OptionalDouble.of(bounds[n - 2]);
    }
    if (b == 0 && bounds[0] <= 0) {
      return OptionalDouble.of(bounds[0]);
    }
    double start = b == 0 ? 0 : bounds[b - 1];
    double below = b == 0 ? 0 : counts[b - 1];
    double inBucket = counts[b] - below;
    return OptionalDouble.of(
        start + (bounds[b] - start) * (inBucket > 0 ? (rank - below) / inBucket : 0));
  }
}
