package dev.modelops.runtime.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which models dynamic batching may merge requests for: one shared, free first dimension. */
class BatchableModelTest {

  static TensorSpec free(String name, String dim) {
    return new TensorSpec(name, Datatype.FP32, new long[] {-1, 4}, dim);
  }

  @Test
  void oneNamedBatchDimensionEverywhereBatches() {
    assertThat(
            ModelSession.sharesBatchDimension(
                List.of(free("a", "batch"), free("b", "batch")), List.of(free("y", "batch"))))
        .isTrue();
  }

  @Test
  void anUnnamedFirstDimensionMatchesANamedOne() {
    // An exporter that names the inputs' batch dimension but not the outputs'.
    assertThat(
            ModelSession.sharesBatchDimension(List.of(free("x", "batch")), List.of(free("y", ""))))
        .isTrue();
  }

  @Test
  void unnamedFreeFirstDimensionsBatch() {
    assertThat(ModelSession.sharesBatchDimension(List.of(free("x", "")), List.of(free("y", ""))))
        .isTrue();
  }

  @Test
  void differentlyNamedFirstDimensionsDoNotBatch() {
    // Like the gather model: a list of items ("n") and indices into it ("k") are not rows.
    assertThat(
            ModelSession.sharesBatchDimension(
                List.of(free("data", "n"), free("indices", "k")), List.of(free("picked", "k"))))
        .isFalse();
  }

  @Test
  void aFixedFirstDimensionDoesNotBatch() {
    TensorSpec fixed = new TensorSpec("x", Datatype.FP32, new long[] {2, 3}, "");
    assertThat(ModelSession.sharesBatchDimension(List.of(fixed), List.of(free("y", "")))).isFalse();
    assertThat(ModelSession.sharesBatchDimension(List.of(free("x", "")), List.of(fixed))).isFalse();
  }
}
