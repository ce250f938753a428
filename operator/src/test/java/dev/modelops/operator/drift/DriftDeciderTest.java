package dev.modelops.operator.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.modelops.drift.DriftScores;
import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.DriftSpec.Method;
import dev.modelops.operator.api.v1alpha1.DriftStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Drift decided from the pods' reports at a fixed clock: the sum, the score, the hysteresis. */
class DriftDeciderTest {

  static final Instant T0 = Instant.parse("2026-12-02T01:00:00Z");
  static final long[] BASELINE = {0, 100, 100, 100, 0};
  static final double[] EDGES = {-1, 0, 1, 2};
  static final long[] SAME = {0, 67, 67, 66, 0};
  static final long[] SHIFTED = {0, 20, 60, 100, 20};

  static DriftSpec spec(Method method, Double threshold) {
    DriftSpec spec = new DriftSpec();
    spec.method = method;
    spec.threshold = threshold;
    spec.window = 200;
    spec.evaluationInterval = "5s";
    return spec;
  }

  static DriftReading reading(PodDriftReport... reports) {
    return new DriftReading(3, true, reports.length, List.of(reports), List.of());
  }

  /** One evaluation after another, each seeing the verdict before it, 5 s apart. */
  static final class Evaluations {
    final DriftSpec spec;
    DriftVerdict last = DriftVerdict.NONE;
    Instant now = T0;
    final List<DriftVerdict> verdicts = new ArrayList<>();

    Evaluations(DriftSpec spec) {
      this.spec = spec;
    }

    DriftVerdict next(DriftReading reading) {
      last = DriftDecider.decide(spec, Optional.of(reading), last.status(), last.condition(), now);
      verdicts.add(last);
      now = now.plusSeconds(5);
      return last;
    }

    DriftVerdict window(long[] counts) {
      return next(reading(Reports.pod("a", counts)));
    }

    String status() {
      return last.condition().orElseThrow().status();
    }
  }

  static double psi(long[] counts) {
    return DriftScores.numeric(BASELINE, counts, EDGES, 0.8).orElseThrow().psi();
  }

  @Test
  void eachMethodScoresTheSumOfThePods() {
    long[] a = {0, 10, 30, 50, 10};
    long[] b = {1, 30, 30, 30, 9};
    long[] sum = {1, 40, 60, 80, 19};
    DriftScores expected = DriftScores.numeric(BASELINE, sum, EDGES, 0.8).orElseThrow();
    for (Method m : Method.values()) {
      DriftStatus s =
          DriftDecider.decide(
                  spec(m, null),
                  Optional.of(reading(Reports.pod("a", a), Reports.pod("b", b))),
                  Optional.empty(),
                  Optional.empty(),
                  T0)
              .status()
              .orElseThrow();
      double want =
          switch (m) {
            case psi -> expected.psi();
            case jensenShannon -> expected.jensenShannon();
            case wasserstein -> expected.wasserstein().getAsDouble();
            case ks -> expected.ks().orElseThrow().pValue();
          };
      assertThat(s.score).as(m.name()).isCloseTo(want, within(Math.abs(want) * 1e-3 + 1e-12));
      assertThat(s.samples).isEqualTo(200);
      assertThat(s.pods).isEqualTo(2);
      assertThat(s.method).isEqualTo(m.name());
      assertThat(s.revision).isEqualTo(3);
    }
  }

  @Test
  void defaultThresholdsByMethod() {
    assertThat(spec(Method.psi, null).thresholdOrDefault()).isEqualTo(0.1);
    assertThat(spec(Method.ks, null).thresholdOrDefault()).isEqualTo(0.01);
    assertThat(spec(Method.jensenShannon, null).thresholdOrDefault()).isEqualTo(0.1);
    assertThat(spec(Method.wasserstein, null).thresholdOrDefault()).isEqualTo(0.1);
  }

  @Test
  void theWorstFeaturesComeFirstAndNameTheShiftedOne() {
    DriftVerdict v =
        DriftDecider.decide(
            spec(Method.psi, 0.1),
            Optional.of(reading(Reports.pod("a", SAME, SHIFTED, SAME))),
            Optional.empty(),
            Optional.empty(),
            T0);
    DriftStatus s = v.status().orElseThrow();
    assertThat(s.worstFeatures).extracting(f -> f.name).first().isEqualTo("x1");
    assertThat(s.worstFeatures).hasSize(3);
    assertThat(s.score).isEqualTo(s.worstFeatures.get(0).score);
    assertThat(v.condition().orElseThrow().status()).isEqualTo("True");
    assertThat(v.condition().orElseThrow().reason()).isEqualTo("DriftDetected");
    assertThat(v.condition().orElseThrow().message())
        .startsWith("psi ")
        .contains("on revision 3 (200 samples from 1 pods) is over the threshold 0.1; worst: x1");
  }

  @Test
  void aWindowNotFullIsNeverDrift() {
    // Two pods with 60 shifted samples each: 120 of 200.
    long[] part = {0, 6, 18, 30, 6};
    DriftVerdict v =
        DriftDecider.decide(
            spec(Method.psi, 0.1),
            Optional.of(reading(Reports.pod("a", part), Reports.pod("b", part))),
            Optional.empty(),
            Optional.empty(),
            T0);
    assertThat(v.condition().orElseThrow())
        .isEqualTo(
            new DriftVerdict.Condition(
                "Unknown",
                "Collecting",
                "collecting: 120 of 200 samples in the window of revision 3 (2 pods)"));
    assertThat(v.status().orElseThrow().score).isNull();
    assertThat(v.status().orElseThrow().samples).isEqualTo(120);
  }

  @Test
  void theSumOfPodsNotFullEachIsAFullWindow() {
    long[] half = {0, 10, 30, 50, 10};
    DriftVerdict v =
        DriftDecider.decide(
            spec(Method.psi, 0.1),
            Optional.of(reading(Reports.pod("a", half), Reports.pod("b", half))),
            Optional.empty(),
            Optional.empty(),
            T0);
    assertThat(v.condition().orElseThrow().status()).isEqualTo("True");
  }

  @Test
  void mismatchedPodsAreLeftOutAndSaidSo() {
    DriftVerdict v =
        DriftDecider.decide(
            spec(Method.psi, 0.1),
            Optional.of(
                reading(
                    Reports.pod("a", SAME),
                    Reports.pod("b", SAME),
                    Reports.pod("c", "[-1.0, 0.5, 1.0, 2.0]", SHIFTED))),
            Optional.empty(),
            Optional.empty(),
            T0);
    assertThat(v.status().orElseThrow().pods).isEqualTo(2);
    assertThat(v.condition().orElseThrow().status()).isEqualTo("False");
    assertThat(v.condition().orElseThrow().message())
        .endsWith("; left out: pod c: its bins differ from pod a's (another baseline?)");
  }

  @Test
  void withoutBaselineOrPodsTheConditionIsUnknown() {
    DriftSpec spec = spec(Method.psi, 0.1);
    DriftVerdict none =
        DriftDecider.decide(
            spec,
            Optional.of(new DriftReading(1, false, 2, List.of(), List.of())),
            Optional.empty(),
            Optional.empty(),
            T0);
    assertThat(none.condition().orElseThrow().reason()).isEqualTo("NoBaseline");
    DriftVerdict unread =
        DriftDecider.decide(
            spec,
            Optional.of(
                new DriftReading(
                    1, true, 1, List.of(), List.of("pod a: http://10.0.0.1:8080 did not answer"))),
            Optional.empty(),
            Optional.empty(),
            T0);
    assertThat(unread.condition().orElseThrow())
        .isEqualTo(
            new DriftVerdict.Condition(
                "Unknown",
                "DriftUnavailable",
                "no drift report from the 1 ready pods of revision 1: pod a:"
                    + " http://10.0.0.1:8080 did not answer"));
    DriftVerdict off =
        DriftDecider.decide(
            spec, Optional.of(reading(Reports.off("a"))), Optional.empty(), Optional.empty(), T0);
    assertThat(off.condition().orElseThrow().message())
        .contains("pod a: drift is off: MODELOPS_BASELINE is not set");
    assertThat(DriftDecider.decide(null, Optional.empty(), Optional.empty(), Optional.empty(), T0))
        .isEqualTo(DriftVerdict.NONE);
  }

  @Test
  void aScoreAroundTheThresholdDoesNotFlap() {
    long[] over = {0, 70, 60, 120, 30};
    long[] justUnder = {0, 72, 60, 118, 28};
    double high = psi(over);
    double low = psi(justUnder);
    double threshold = (high + low) / 2;
    assertThat(low).isGreaterThan(0.8 * threshold).isLessThan(threshold);
    Evaluations e = new Evaluations(spec(Method.psi, threshold));
    e.window(SAME);
    assertThat(e.status()).isEqualTo("False");
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      e.window(i % 2 == 0 ? over : justUnder);
      seen.add(e.status());
    }
    assertThat(seen).containsOnly("True");
    assertThat(e.last.condition().orElseThrow().message())
        .contains("is back under the threshold")
        .contains("clears after 2 evaluations in a row under");
  }

  @Test
  void itClearsOnlyAfterTwoEvaluationsInARowUnderTheBound() {
    Evaluations e = new Evaluations(spec(Method.psi, 0.1));
    e.window(SHIFTED);
    assertThat(e.status()).isEqualTo("True");
    e.window(SAME);
    assertThat(e.status()).isEqualTo("True");
    assertThat(e.last.status().orElseThrow().clearingEvaluations).isEqualTo(1);
    e.window(SHIFTED);
    assertThat(e.status()).isEqualTo("True");
    assertThat(e.last.status().orElseThrow().clearingEvaluations).isNull();
    e.window(SAME);
    e.window(SAME);
    assertThat(e.status()).isEqualTo("False");
    assertThat(e.last.condition().orElseThrow().reason()).isEqualTo("NoDrift");
    assertThat(e.last.status().orElseThrow().clearingEvaluations).isNull();
  }

  @Test
  void ksDriftsUnderItsPValueAndClearsOverThresholdToThePowerOfTheRatio() {
    DriftRule rule = new DriftRule(Method.ks, 0.01);
    assertThat(rule.drifted(0.009)).isTrue();
    assertThat(rule.drifted(0.011)).isFalse();
    assertThat(rule.clearBound()).isCloseTo(Math.pow(0.01, 0.8), within(1e-12));
    assertThat(rule.clears(0.02)).isFalse();
    assertThat(rule.clears(0.03)).isTrue();
    assertThat(rule.drifted(0)).isTrue();
    DriftRule psi = new DriftRule(Method.psi, 0.1);
    assertThat(psi.drifted(0.11)).isTrue();
    assertThat(psi.clears(0.081)).isFalse();
    assertThat(psi.clears(0.079)).isTrue();
  }

  @Test
  void anEvaluationThatChangesNothingMaterialKeepsTheRecordedStatus() {
    Evaluations e = new Evaluations(spec(Method.psi, 0.1));
    DriftVerdict first = e.window(SAME);
    // The same counts a moment later: nothing to write, evaluatedAt stays.
    DriftVerdict again = e.window(new long[] {0, 66, 67, 67, 0});
    assertThat(again).isEqualTo(first);
    assertThat(again.status().orElseThrow().evaluatedAt).isEqualTo("2026-12-02T01:00:00Z");
    // Ten minutes on, evaluatedAt moves (a heartbeat), the rest as it was.
    e.now = T0.plus(DriftDecider.HEARTBEAT);
    DriftVerdict later = e.window(SAME);
    assertThat(later.status().orElseThrow().evaluatedAt).isEqualTo("2026-12-02T01:10:00Z");
    // A material score change is written at once.
    DriftVerdict moved = e.window(new long[] {0, 50, 70, 80, 0});
    assertThat(moved.status().orElseThrow().score).isNotEqualTo(later.status().orElseThrow().score);
    assertThat(moved.condition().orElseThrow().status()).isEqualTo("False");
  }

  @Test
  void noEvaluationDueKeepsWhatWasRecorded() {
    DriftVerdict first =
        DriftDecider.decide(
            spec(Method.psi, 0.1),
            Optional.of(reading(Reports.pod("a", SHIFTED))),
            Optional.empty(),
            Optional.empty(),
            T0);
    DriftVerdict kept =
        DriftDecider.decide(
            spec(Method.psi, 0.1),
            Optional.empty(),
            first.status(),
            first.condition(),
            T0.plus(Duration.ofSeconds(1)));
    assertThat(kept).isEqualTo(first);
  }
}
