package dev.modelops.runtime.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.runtime.inference.Datatype;
import dev.modelops.runtime.inference.TensorSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What is recorded of which model: only 2-D numeric inputs, and why not otherwise. */
class RecordPlanTest {

  static Baseline features(int n) {
    List<BaselineFeature> f =
        java.util.stream.IntStream.range(0, n)
            .mapToObj(
                i ->
                    (BaselineFeature)
                        new BaselineFeature.Numeric(
                            "x" + i, 1, 0, 1, new double[] {0, 1}, new long[] {1}))
            .toList();
    return new Baseline(f, Optional.empty());
  }

  static TensorSpec spec(String name, Datatype type, long... shape) {
    return new TensorSpec(name, type, shape);
  }

  @Test
  void aClassifierOnATable() {
    RecordPlan plan =
        RecordPlan.of(
            features(4),
            List.of(spec("input", Datatype.FP32, -1, 4)),
            List.of(spec("probabilities", Datatype.FP32, -1, 3)));
    assertThat(plan.input()).contains("input");
    assertThat(plan.features()).hasSize(4);
    assertThat(plan.outputKind()).contains(RecordPlan.OutputKind.CLASS);
    assertThat(((BaselineFeature.Categorical) plan.outputBins().orElseThrow()).labels())
        .containsExactly("0", "1", "2", "other");
    assertThat(plan.notes()).isEmpty();
    assertThat(plan.width()).isEqualTo(5);
  }

  @Test
  void anImageIsNotRecordedAndTheNoteSaysWhy() {
    RecordPlan plan =
        RecordPlan.of(
            features(4),
            List.of(spec("image", Datatype.FP32, -1, 3, 64, 64)),
            List.of(spec("score", Datatype.FP64, -1)));
    assertThat(plan.input()).isEmpty();
    assertThat(plan.notes())
        .containsExactly(
            "inputs are not recorded: drift needs a 2-D numeric input (FP32, FP64, INT*) with one"
                + " column per baseline feature (4); the model's inputs are image FP32 [-1, 3, 64, 64]");
    assertThat(plan.outputKind()).contains(RecordPlan.OutputKind.SCORE);
    assertThat(plan.width()).isEqualTo(1);
  }

  @Test
  void columnsMustMatchTheFeaturesAndTheFeaturesAreCapped() {
    assertThat(
            RecordPlan.of(
                    features(3),
                    List.of(spec("input", Datatype.FP32, -1, 4)),
                    List.of(spec("text", Datatype.BYTES, -1)))
                .notes())
        .hasSize(2)
        .allMatch(n -> n.contains("not recorded"));
    RecordPlan wide =
        RecordPlan.of(features(120), List.of(spec("features", Datatype.FP64, -1, 120)), List.of());
    assertThat(wide.features()).hasSize(RecordPlan.MAX_FEATURES);
    assertThat(wide.notes())
        .contains("only the first 100 of the baseline's 120 features are recorded");
  }
}
