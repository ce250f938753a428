package dev.modelops.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.analysis.Predictions;
import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.AnalysisVerdict;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AnalysisJudgeTest {

  private static final String TIME = "2026-12-02T10:00:00Z";

  private static Predictions predictions(long... byClass) {
    TreeMap<String, Long> counts = new TreeMap<>();
    for (int c = 0; c < byClass.length; c++) {
      counts.put(Integer.toString(c), byClass[c]);
    }
    return new Predictions(counts);
  }

  private static IntervalStats answered(Predictions predictions) {
    return new IntervalStats(predictions.total(), 0, OptionalDouble.of(0.004), predictions);
  }

  private static AnalysisSpec spec(Double maxOutputDivergence) {
    AnalysisSpec spec = new AnalysisSpec();
    spec.minRequests = 50;
    spec.maxOutputDivergence = maxOutputDivergence;
    return spec;
  }

  @Test
  void aCanaryThatPredictsOneClassForEverythingFailsWithBothRevisionsCounts() {
    AnalysisVerdict v =
        AnalysisJudge.judge(
            spec(0.3), answered(predictions(60, 0, 0)), answered(predictions(70, 65, 80)), 1, TIME);
    assertThat(v.verdict).isEqualTo(AnalysisJudge.FAIL);
    // SciPy: jensenshannon([60, 0, 0], [70, 65, 80], base=2) = 0.6833...
    assertThat(v.outputDivergence).isEqualTo("0.683");
    assertThat(v.message)
        .startsWith("predictions' Jensen-Shannon distance from the stable's 0.683")
        .contains("(canary 0: 60, 1: 0, 2: 0; stable 0: 70, 1: 65, 2: 80)")
        .contains("is over maxOutputDivergence 0.3")
        .contains("error rate 0.0000 (0 of 60 requests)");
  }

  @Test
  void predictionsInSimilarProportionsPassAndSaySo() {
    AnalysisVerdict v =
        AnalysisJudge.judge(
            spec(0.3),
            answered(predictions(20, 22, 25)),
            answered(predictions(70, 65, 80)),
            1,
            TIME);
    assertThat(v.verdict).isEqualTo(AnalysisJudge.PASS);
    assertThat(Double.parseDouble(v.outputDivergence)).isBetween(0.0, 0.1);
    assertThat(v.message).contains("within maxOutputDivergence 0.3");
  }

  @Test
  void classesOnlyOneRevisionPredictedCountAsZeroForTheOther() {
    AnalysisVerdict v =
        AnalysisJudge.judge(
            spec(0.5),
            answered(new Predictions(new TreeMap<>(java.util.Map.of("3", 80L)))),
            answered(predictions(80)),
            1,
            TIME);
    assertThat(v.outputDivergence).isEqualTo("1.000");
    assertThat(v.verdict).isEqualTo(AnalysisJudge.FAIL);
  }

  @Test
  void tooFewPredictionsOnEitherSideAreNotComparedAndTheMessageSaysWhy() {
    AnalysisVerdict v =
        AnalysisJudge.judge(
            spec(0.3), answered(predictions(60, 0, 0)), answered(predictions(10, 10, 10)), 1, TIME);
    assertThat(v.verdict).isEqualTo(AnalysisJudge.PASS);
    assertThat(v.outputDivergence).isNull();
    assertThat(v.message)
        .contains(
            "predictions not compared: 60 of the canary's and 30 of the stable's counted, fewer than minRequests 50");
  }

  @Test
  void withoutTheThresholdPredictionsAreNotJudged() {
    AnalysisVerdict v =
        AnalysisJudge.judge(
            spec(null),
            answered(predictions(60, 0, 0)),
            answered(predictions(70, 65, 80)),
            1,
            TIME);
    assertThat(v.verdict).isEqualTo(AnalysisJudge.PASS);
    assertThat(v.outputDivergence).isNull();
    assertThat(v.message).doesNotContain("predictions");
  }

  private static IntervalStats withTraining(
      Predictions stable, Predictions window, Predictions labels) {
    return answered(stable)
        .with(
            java.util.Optional.of(
                new dev.modelops.operator.analysis.TrainedOutputs(window, labels, 1)));
  }

  @Test
  void aCanaryWithTrainingLabelsIsJudgedAgainstThemNotAgainstTheStable() {
    // After drift the stale stable predicts class 2 for most rows; the retrained canary spreads
    // them as its training labels do: a Pass, although it is far from the stable's predictions.
    AnalysisVerdict good =
        AnalysisJudge.judge(
            spec(0.2),
            withTraining(
                predictions(20, 22, 25), predictions(66, 70, 64), predictions(672, 640, 688)),
            answered(predictions(10, 1, 87)),
            1,
            TIME);
    assertThat(good.verdict).isEqualTo(AnalysisJudge.PASS);
    assertThat(good.message)
        .contains("predictions' Jensen-Shannon distance from the training labels 0.0")
        .contains("(canary 0: 66, 1: 70, 2: 64; labels 0: 672, 1: 640, 2: 688)");

    // A worse retrained model: most rows class 2, close to the stale stable, far from its labels.
    AnalysisVerdict worse =
        AnalysisJudge.judge(
            spec(0.2),
            withTraining(predictions(3, 3, 60), predictions(8, 9, 183), predictions(672, 640, 688)),
            answered(predictions(10, 1, 87)),
            1,
            TIME);
    assertThat(worse.verdict).isEqualTo(AnalysisJudge.FAIL);
    assertThat(worse.message)
        .startsWith("predictions' Jensen-Shannon distance from the training labels 0.5")
        .contains("is over maxOutputDivergence 0.2");

    AnalysisVerdict few =
        AnalysisJudge.judge(
            spec(0.2),
            withTraining(
                predictions(60, 0, 0), predictions(10, 10, 10), predictions(672, 640, 688)),
            answered(predictions(10, 1, 87)),
            1,
            TIME);
    assertThat(few.verdict).isEqualTo(AnalysisJudge.PASS);
    assertThat(few.message)
        .contains(
            "predictions not compared: 30 predictions in the canary's drift windows, fewer than minRequests 50");
  }
}
