package dev.modelops.operator.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pods' windows added up bin by bin, and the pods that cannot be added. */
class PooledWindowTest {

  @Test
  void countsAndSamplesAreSummedPerFeature() {
    PooledWindow pooled =
        PooledWindow.of(
            List.of(
                Reports.pod("b", new long[] {1, 30, 30, 39, 0}, new long[] {0, 50, 25, 25, 0}),
                Reports.pod("a", new long[] {0, 40, 30, 30, 0}, new long[] {2, 48, 25, 25, 0})));
    assertThat(pooled.pods()).containsExactly("a", "b");
    assertThat(pooled.leftOut()).isEmpty();
    assertThat(pooled.features().get(0).counts()).containsExactly(1, 70, 60, 69, 0);
    assertThat(pooled.features().get(0).samples()).isEqualTo(200);
    assertThat(pooled.features().get(1).counts()).containsExactly(2, 98, 50, 50, 0);
    assertThat(pooled.features().get(1).baselineCounts()).containsExactly(0, 100, 100, 100, 0);
  }

  @Test
  void aPodWithOtherBinsIsLeftOutAndNamed() {
    long[] c = {0, 40, 30, 30, 0};
    PooledWindow pooled =
        PooledWindow.of(
            List.of(
                Reports.pod("a", c),
                Reports.pod("b", c),
                Reports.pod("c", "[-1.0, 0.0, 1.5, 2.0]", c)));
    assertThat(pooled.pods()).containsExactly("a", "b");
    assertThat(pooled.features().get(0).counts()).containsExactly(0, 80, 60, 60, 0);
    assertThat(pooled.leftOut())
        .containsExactly("pod c: its bins differ from pod a's (another baseline?)");
  }

  @Test
  void theLargerGroupWinsWhateverTheOrder() {
    long[] c = {0, 40, 30, 30, 0};
    PooledWindow pooled =
        PooledWindow.of(
            List.of(
                Reports.pod("a", "[-1.0, 0.0, 1.5, 2.0]", c),
                Reports.pod("b", c),
                Reports.pod("c", c)));
    assertThat(pooled.pods()).containsExactly("b", "c");
    assertThat(pooled.leftOut()).singleElement().asString().startsWith("pod a:");
  }

  @Test
  void podsWithDriftOffAreLeftOutWithTheirReason() {
    PooledWindow pooled = PooledWindow.of(List.of(Reports.off("a")));
    assertThat(pooled.pods()).isEmpty();
    assertThat(pooled.leftOut())
        .containsExactly("pod a: drift is off: MODELOPS_BASELINE is not set");
  }

  @Test
  void aReportWithoutBaselineCountsIsRefused() {
    assertThatThrownBy(
            () ->
                PodDriftReport.parse(
                    "a",
                    "{\"enabled\":true,\"features\":[{\"name\":\"x0\",\"type\":\"numeric\","
                        + "\"binEdges\":[0,1],\"counts\":[0,5,0]}]}"))
        .hasMessageContaining("feature 'x0'")
        .hasMessageContaining("baselineCounts");
    assertThatThrownBy(() -> PodDriftReport.parse("a", "not json"))
        .hasMessageContaining("not JSON");
  }
}
