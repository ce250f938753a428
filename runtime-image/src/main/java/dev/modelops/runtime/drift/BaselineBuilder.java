package dev.modelops.runtime.drift;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Describes training data feature by feature, as a baseline file holds it. */
public final class BaselineBuilder {

  /**
   * Deciles: with the default window of 5000 samples, each bin expects 500 of them, so a bin's
   * share is known to within a few percent and PSI's and KS's noise stays far below their
   * thresholds, while a shift of a fraction of a standard deviation moves several bins.
   */
  public static final int DEFAULT_BINS = 10;

  private BaselineBuilder() {}

  /**
   * A numeric feature: count, mean, population standard deviation, and {@code bins} quantile bins
   * (numpy's default, linear interpolation between the two nearest values). Edges that repeat (a
   * value that fills more than one bin) are merged, so a feature with few distinct values gets
   * fewer bins. NaN values are left out.
   */
  public static BaselineFeature.Numeric numeric(String name, double[] values, int bins) {
    double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (sorted.length == 0 || sorted[0] == sorted[sorted.length - 1]) {
      throw new IllegalArgumentException(
          "feature '%s' has %s; drift needs at least two different values (leave it out with --features)"
              .formatted(name, sorted.length == 0 ? "no values" : "one value only, " + sorted[0]));
    }
    if (Double.isInfinite(sorted[0]) || Double.isInfinite(sorted[sorted.length - 1])) {
      throw new IllegalArgumentException("feature '%s' has an infinite value".formatted(name));
    }
    double[] edges =
        Arrays.stream(quantiles(sorted, bins)).distinct().toArray(); // sorted input: sorted edges
    long[] counts = new long[edges.length - 1];
    for (double v : sorted) {
      counts[BaselineFeature.Numeric.bin(edges, v) - 1]++;
    }
    double mean = Arrays.stream(sorted).sum() / sorted.length;
    double squares = 0;
    for (double v : sorted) {
      squares += (v - mean) * (v - mean);
    }
    return new BaselineFeature.Numeric(
        name, sorted.length, mean, Math.sqrt(squares / sorted.length), edges, counts);
  }

  /** The values at 0, 1/bins, ..., 1 of sorted data, numpy's "linear" method. */
  static double[] quantiles(double[] sorted, int bins) {
    double[] q = new double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      double h = (sorted.length - 1) * (double) i / bins;
      int lo = (int) Math.floor(h);
      int hi = Math.min(lo + 1, sorted.length - 1);
      q[i] = sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
    q[bins] = sorted[sorted.length - 1];
    return q;
  }

  /**
   * A categorical feature: each value's count, in the values' order (numerically when they are all
   * numbers). Empty values are left out.
   */
  public static BaselineFeature.Categorical categorical(String name, List<String> values) {
    Map<String, Long> counts = new HashMap<>();
    for (String v : values) {
      if (!v.isEmpty()) {
        counts.merge(v, 1L, Long::sum);
      }
    }
    if (counts.isEmpty()) {
      throw new IllegalArgumentException("feature '%s' has no values".formatted(name));
    }
    boolean numeric = counts.keySet().stream().allMatch(BaselineBuilder::isNumber);
    Comparator<String> order =
        numeric ? Comparator.comparingDouble(Double::parseDouble) : Comparator.naturalOrder();
    Map<String, Long> ordered = new LinkedHashMap<>();
    counts.keySet().stream().sorted(order).forEach(k -> ordered.put(k, counts.get(k)));
    return new BaselineFeature.Categorical(name, ordered);
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
