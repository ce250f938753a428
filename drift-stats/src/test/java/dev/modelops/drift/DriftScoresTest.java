package dev.modelops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which measures a feature gets, the Wasserstein distance's unit, and the overall scores. */
class DriftScoresTest {

  static final double[] EDGES = {0, 1, 2, 3};
  static final long[] BASELINE = {0, 100, 100, 100, 0};

  @Test
  void aNumericFeatureHasAllFourAndWassersteinInStandardDeviations() {
    long[] shifted = {0, 0, 100, 100, 100};
    DriftScores s = DriftScores.numeric(BASELINE, shifted, EDGES, 0.5).orElseThrow();
    assertThat(s.psi()).isEqualTo(DriftMeasures.psi(BASELINE, shifted));
    assertThat(s.jensenShannon()).isEqualTo(DriftMeasures.jensenShannon(BASELINE, shifted));
    assertThat(s.ks()).contains(DriftMeasures.ks(BASELINE, shifted));
    // Every value moved one bin (1.0) up: one unit, two standard deviations of 0.5.
    assertThat(s.wasserstein().getAsDouble()).isCloseTo(2.0, within(1e-12));
    // Without a spread, the span of the edges is the unit.
    assertThat(DriftScores.numeric(BASELINE, shifted, EDGES, 0).orElseThrow().wasserstein())
        .hasValueCloseTo(1.0 / 3, within(1e-12));
  }

  @Test
  void aCategoricalFeatureHasNoOrderedMeasures() {
    DriftScores s = DriftScores.categorical(new long[] {5, 5, 0}, new long[] {2, 8, 0}).get();
    assertThat(s.ks()).isEmpty();
    assertThat(s.wasserstein()).isEmpty();
    assertThat(s.psi()).isPositive();
  }

  @Test
  void emptyCountsHaveNoScores() {
    assertThat(DriftScores.numeric(BASELINE, new long[5], EDGES, 1)).isEmpty();
    assertThat(DriftScores.categorical(new long[3], new long[] {1, 1, 1})).isEmpty();
  }

  @Test
  void overallIsTheWorstFeatureAndBonferroniForKs() {
    DriftScores a = DriftScores.numeric(BASELINE, new long[] {0, 90, 110, 100, 0}, EDGES, 1).get();
    DriftScores b = DriftScores.numeric(BASELINE, new long[] {0, 0, 100, 100, 100}, EDGES, 1).get();
    DriftScores overall = DriftScores.overall(List.of(a, b)).orElseThrow();
    assertThat(overall.psi()).isEqualTo(Math.max(a.psi(), b.psi()));
    assertThat(overall.ks().orElseThrow().pValue())
        .isEqualTo(Math.min(1, 2 * Math.min(a.ks().get().pValue(), b.ks().get().pValue())));
    assertThat(DriftScores.overall(List.of())).isEmpty();
  }
}
