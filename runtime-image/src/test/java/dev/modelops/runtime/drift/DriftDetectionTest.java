package dev.modelops.runtime.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.drift.DriftScores;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Detection quality on synthetic streams, through the runtime's own windows: a baseline of 20,000
 * rows of four standard normal features, windows of the default 5000 rows, and each method at the
 * default threshold of docs/drift-and-retraining.md (PSI 0.1, KS p-value 0.01, Jensen-Shannon 0.1,
 * Wasserstein 0.1), read on the overall score as the operator reads it.
 */
class DriftDetectionTest {

  static final int FEATURES = 4;
  static final int WINDOW = 5000;

  static final double PSI = 0.1;
  static final double KS_P = 0.01;
  static final double JS = 0.1;
  static final double WASSERSTEIN = 0.1;

  static List<BaselineFeature> baseline(Random random) {
    List<BaselineFeature> features = new ArrayList<>();
    for (int f = 0; f < FEATURES; f++) {
      double[] values = new double[20_000];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextGaussian();
      }
      features.add(BaselineBuilder.numeric("x" + f, values, BaselineBuilder.DEFAULT_BINS));
    }
    return features;
  }

  /** Which methods alarm on one window of fresh rows, x1 shifted by {@code shift}. */
  static boolean[] alarms(List<BaselineFeature> baseline, Random random, double shift) {
    List<DriftScores> scores = new ArrayList<>();
    for (int f = 0; f < FEATURES; f++) {
      FeatureWindow window = new FeatureWindow(baseline.get(f), WINDOW);
      for (int i = 0; i < WINDOW; i++) {
        window.add(random.nextGaussian() + (f == 1 ? shift : 0));
      }
      scores.add(baseline.get(f).scores(window.counts()).orElseThrow());
    }
    DriftScores overall = DriftScores.overall(scores).orElseThrow();
    return new boolean[] {
      overall.psi() > PSI,
      overall.ks().orElseThrow().pValue() < KS_P,
      overall.jensenShannon() > JS,
      overall.wasserstein().orElseThrow() > WASSERSTEIN
    };
  }

  static int[] count(List<BaselineFeature> baseline, Random random, double shift, int windows) {
    int[] alarms = new int[4];
    for (int w = 0; w < windows; w++) {
      boolean[] a = alarms(baseline, random, shift);
      for (int m = 0; m < 4; m++) {
        alarms[m] += a[m] ? 1 : 0;
      }
    }
    return alarms;
  }

  @Test
  void stationaryDataRaisesFewerThanOnePercentFalseAlarms() {
    Random random = new Random(1);
    // Several baselines, as several trainings would give: a baseline's own sampling error is
    // shared by all the windows compared with it.
    int windows = 0;
    int[] alarms = new int[4];
    for (int b = 0; b < 5; b++) {
      List<BaselineFeature> baseline = baseline(random);
      int[] some = count(baseline, random, 0, 60);
      for (int m = 0; m < 4; m++) {
        alarms[m] += some[m];
      }
      windows += 60;
    }
    System.out.printf(
        "false alarms in %d stationary windows: psi %d, ks %d, jensenShannon %d, wasserstein %d%n",
        windows, alarms[0], alarms[1], alarms[2], alarms[3]);
    for (int m = 0; m < 4; m++) {
      assertThat((double) alarms[m] / windows).as("method %d", m).isLessThan(0.01);
    }
  }

  @Test
  void aHalfStandardDeviationShiftOfOneFeatureIsFoundWithinOneWindow() {
    Random random = new Random(2);
    List<BaselineFeature> baseline = baseline(random);
    int[] found = count(baseline, random, 0.5, 50);
    System.out.printf(
        "0.5 sd shift found in 50 windows: psi %d, ks %d, jensenShannon %d, wasserstein %d%n",
        found[0], found[1], found[2], found[3]);
    assertThat(found).containsOnly(50);
  }

  @Test
  void theWindowSlides() {
    var feature =
        new BaselineFeature.Numeric("x", 2, 0, 1, new double[] {0, 1, 2}, new long[] {1, 1});
    FeatureWindow window = new FeatureWindow(feature, 3);
    window.add(0.5);
    window.add(1.5);
    assertThat(window.full()).isFalse();
    window.add(Double.NaN); // not counted
    window.add(5);
    assertThat(window.full()).isTrue();
    assertThat(window.counts()).containsExactly(0, 1, 1, 1);
    window.add(-1); // the oldest, 0.5, leaves
    assertThat(window.counts()).containsExactly(1, 0, 1, 1);
    assertThat(window.samples()).isEqualTo(3);
  }
}
