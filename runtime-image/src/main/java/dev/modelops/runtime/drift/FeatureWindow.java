package dev.modelops.runtime.drift;

import java.util.function.DoubleToIntFunction;

/**
 * The last {@code size} values of one feature, as the bins they fall in and the counts per bin.
 * Memory is one int per value of the window, whatever the traffic. Used by one thread.
 */
final class FeatureWindow {

  private final BaselineFeature feature;
  private final DoubleToIntFunction binning;
  private final int[] ring;
  private final long[] counts;
  private long seen;

  FeatureWindow(BaselineFeature feature, int size) {
    this.feature = feature;
    this.binning = feature.binning();
    this.ring = new int[size];
    this.counts = new long[feature.counts().length];
  }

  /** Counts a value, and forgets the oldest once the window is full; NaN is not counted. */
  void add(double value) {
    int bin = binning.applyAsInt(value);
    if (bin < 0) {
      return;
    }
    int at = (int) (seen % ring.length);
    if (seen >= ring.length) {
      counts[ring[at]]--;
    }
    ring[at] = bin;
    counts[bin]++;
    seen++;
  }

  BaselineFeature feature() {
    return feature;
  }

  long samples() {
    return Math.min(seen, ring.length);
  }

  boolean full() {
    return seen >= ring.length;
  }

  long[] counts() {
    return counts.clone();
  }
}
