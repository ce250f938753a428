package dev.modelops.runtime.drift;

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

  /** The scores of a window's counts, or none when the baseline has no counts to compare with. */
  static Optional<DriftScores> of(BaselineFeature feature, long[] window) {
    long[] baseline = feature.counts();
    if (java.util.Arrays.stream(baseline).sum() == 0
        || java.util.Arrays.stream(window).sum() == 0) {
      return Optional.empty();
    }
    double psi = DriftMeasures.psi(baseline, window);
    double js = DriftMeasures.jensenShannon(baseline, window);
    if (!(feature instanceof BaselineFeature.Numeric n)) {
      return Optional.of(new DriftScores(psi, js, Optional.empty(), OptionalDouble.empty()));
    }
    double[] edges = n.binEdges();
    double scale = n.std() > 0 ? n.std() : edges[edges.length - 1] - edges[0];
    return Optional.of(
        new DriftScores(
            psi,
            js,
            Optional.of(DriftMeasures.ks(baseline, window)),
            OptionalDouble.of(DriftMeasures.wasserstein(baseline, window, edges) / scale)));
  }

  /**
   * The features' scores in one: the largest of each measure (drift in any feature is drift, and a
   * mean would dilute one drifting feature among many), and for KS the smallest p-value times the
   * number of features compared (Bonferroni), so the overall test keeps the false alarm rate of
   * one.
   */
  static Optional<DriftScores> overall(List<DriftScores> scores) {
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
