package dev.modelops.runtime.drift;

import dev.modelops.drift.DriftScores;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleToIntFunction;

/**
 * One feature of a baseline, and the bins a window of it is counted in: a numeric feature's k
 * quantile bins with an underflow bin first and an overflow bin last, or a categorical feature's
 * values in the baseline's order with one bin for any other value last.
 */
public sealed interface BaselineFeature {

  String name();

  /** The baseline's counts in the window's bins (0 in underflow, overflow and "other"). */
  long[] counts();

  /** A window's scores against this feature, or none without counts on either side. */
  Optional<DriftScores> scores(long[] window);

  /**
   * The bin of a value, or -1 for a value that is not counted (NaN); made once per window, since a
   * categorical feature's needs a lookup table.
   */
  DoubleToIntFunction binning();

  /** The training data of a numeric feature: k+1 ascending edges and the k bins' counts. */
  record Numeric(
      String name, long count, double mean, double std, double[] binEdges, long[] binCounts)
      implements BaselineFeature {

    @Override
    public long[] counts() {
      long[] counts = new long[binCounts.length + 2];
      System.arraycopy(binCounts, 0, counts, 1, binCounts.length);
      return counts;
    }

    @Override
    public Optional<DriftScores> scores(long[] window) {
      return DriftScores.numeric(counts(), window, binEdges, std);
    }

    /**
     * 0 below the first edge; bin i (1..k) for edges[i-1] <= value < edges[i], the last bin closed;
     * k+1 above the last edge.
     */
    @Override
    public DoubleToIntFunction binning() {
      double[] edges = binEdges.clone();
      return value -> bin(edges, value);
    }

    static int bin(double[] edges, double value) {
      if (Double.isNaN(value)) {
        return -1;
      }
      int k = edges.length - 1;
      if (value < edges[0]) {
        return 0;
      }
      if (value > edges[k]) {
        return k + 1;
      }
      int at = Arrays.binarySearch(edges, value);
      if (at >= 0) {
        return Math.min(at + 1, k);
      }
      return -at - 1;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Numeric n
          && name.equals(n.name)
          && count == n.count
          && Double.compare(mean, n.mean) == 0
          && Double.compare(std, n.std) == 0
          && Arrays.equals(binEdges, n.binEdges)
          && Arrays.equals(binCounts, n.binCounts);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(binEdges);
    }

    @Override
    public String toString() {
      return "Numeric[%s count=%d mean=%s std=%s binEdges=%s binCounts=%s]"
          .formatted(name, count, mean, std, Arrays.toString(binEdges), Arrays.toString(binCounts));
    }
  }

  /**
   * The training data of a categorical feature: how often each value occurred, in the file's order.
   * A numeric input's value matches the key that spells it ("2" for 2.0, "0.5").
   */
  record Categorical(String name, Map<String, Long> frequencies) implements BaselineFeature {

    public Categorical {
      frequencies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(frequencies));
    }

    /** The bins' labels: the values, then "other". */
    public List<String> labels() {
      List<String> labels = new java.util.ArrayList<>(frequencies.keySet());
      labels.add("other");
      return labels;
    }

    @Override
    public long[] counts() {
      long[] counts = new long[frequencies.size() + 1];
      int i = 0;
      for (long c : frequencies.values()) {
        counts[i++] = c;
      }
      return counts;
    }

    @Override
    public Optional<DriftScores> scores(long[] window) {
      return DriftScores.categorical(counts(), window);
    }

    @Override
    public DoubleToIntFunction binning() {
      Map<Double, Integer> index = new HashMap<>();
      int i = 0;
      for (String key : frequencies.keySet()) {
        try {
          index.putIfAbsent(Double.parseDouble(key), i);
        } catch (NumberFormatException e) {
          // A value no numeric input can take: it is only counted in the baseline.
        }
        i++;
      }
      int other = frequencies.size();
      return value -> Double.isNaN(value) ? -1 : index.getOrDefault(value + 0.0, other);
    }
  }

  /** How a numeric value is spelled as a category: "2" for 2.0, "0.5" for 0.5. */
  static String key(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }
}
