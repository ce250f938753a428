package dev.modelops.drift;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A window's drift from its baseline by the four measures. KS and Wasserstein need an order, so a
 * categorical feature has only PSI and Jensen-Shannon.
 *
 * @param wasserstein the Wasserstein distance over the baseline's standard deviation: 0.5 is a
 *     shift of about half a standard deviation
 */
public record DriftScores(
    double psi, double jensenShannon, Optional<DriftMeasures.Ks> ks, OptionalDouble wasserstein) {

  /**
   * The scores of a numeric feature's window, or none when either side has no counts.
   *
   * @param baseline the baseline's counts over the same k+2 bins as {@code window}
   * @param edges the k+1 bin edges (underflow and overflow around them)
   * @param std the baseline's standard deviation, the unit of the Wasserstein distance (the span of
   *     the edges when it is 0)
   */
  public static Optional<DriftScores> numeric(
      long[] baseline, long[] window, double[] edges, double std) {
    if (empty(baseline) || empty(window)) {
      return Optional.empty();
    }
    double scale = std > 0 ? std : edges[edges.length - 1] - edges[0];
    return Optional.of(
        new DriftScores(
            DriftMeasures.psi(baseline, window),
            DriftMeasures.jensenShannon(baseline, window),
            Optional.of(DriftMeasures.ks(baseline, window)),
            OptionalDouble.of(DriftMeasures.wasserstein(baseline, window, edges) / scale)));
  }

  /** The scores of a categorical feature's window: PSI and Jensen-Shannon, which need no order. */
  public static Optional<DriftScores> categorical(long[] baseline, long[] window) {
    if (empty(baseline) || empty(window)) {
      return Optional.empty();
    }
    return Optional.of(
        new DriftScores(
            DriftMeasures.psi(baseline, window),
            DriftMeasures.jensenShannon(baseline, window),
            Optional.empty(),
            OptionalDouble.empty()));
  }

  private static boolean empty(long[] counts) {
    return Arrays.stream(counts).sum() == 0;
  }

  /**
   * The features' scores in one: the largest of each measure (drift in any feature is drift, and a
   * mean would dilute one drifting feature among many), and for KS the smallest p-value times the
   * number of features compared (Bonferroni), so the overall test keeps the false alarm rate of
   * one.
   */
  public static Optional<DriftScores> overall(List<DriftScores> scores) {
    if (scores.isEmpty()) {
      return Optional.empty();
    }
    double psi = scores.stream().mapToDouble(DriftScores::psi).max().orElseThrow();
    double js = scores.stream().mapToDouble(DriftScores::jensenShannon).max().orElseThrow();
    List<DriftMeasures.Ks> ks = scores.stream().flatMap(s -> s.ks().stream()).toList();
    Optional<DriftMeasures.Ks> worst =
        ks.isEmpty()
            ? Optional.empty()
            : Optional.of(
                new DriftMeasures.Ks(
                    ks.stream().mapToDouble(DriftMeasures.Ks::statistic).max().orElseThrow(),
                    Math.min(
                        1,
                        ks.size()
                            * ks.stream()
                                .mapToDouble(DriftMeasures.Ks::pValue)
                                .min()
                                .orElseThrow())));
    OptionalDouble wasserstein =
        scores.stream().flatMapToDouble(s -> s.wasserstein().stream()).max();
    return Optional.of(new DriftScores(psi, js, worst, wasserstein));
  }
}
