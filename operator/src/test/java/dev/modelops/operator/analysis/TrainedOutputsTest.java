package dev.modelops.operator.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.drift.PodDriftReport;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TrainedOutputsTest {

  /** A report as the runtime writes it for a classifier whose baseline gives the labels. */
  static PodDriftReport pod(String name, String counts, String baselineCounts, boolean baseline) {
    return PodDriftReport.parse(
        name,
        ("{\"model\":\"iris\",\"enabled\":true,\"window\":200,\"features\":[],"
                + "\"outputs\":{\"name\":\"probabilities\",\"type\":\"categorical\",\"samples\":200,"
                + "\"windowFull\":true,\"labels\":[\"0\",\"1\",\"2\",\"other\"],\"counts\":%s,"
                + "\"baselineCounts\":%s,\"psi\":0.08,\"jensenShannon\":0.1,\"kind\":\"class\","
                + "\"baseline\":%b}}")
            .formatted(counts, baselineCounts, baseline));
  }

  @Test
  void addsUpThePodsWindowsBesideTheLabelsOfTheirBaseline() {
    TrainedOutputs t =
        TrainedOutputs.of(
                List.of(
                    pod("a", "[10, 20, 170, 0]", "[672, 640, 688, 0]", true),
                    pod("b", "[15, 25, 160, 0]", "[672, 640, 688, 0]", true)))
            .orElseThrow();
    assertThat(t.pods()).isEqualTo(2);
    assertThat(t.predicted().counts())
        .isEqualTo(new TreeMap<>(Map.of("0", 25L, "1", 45L, "2", 330L, "other", 0L)));
    assertThat(t.labels().counts())
        .isEqualTo(new TreeMap<>(Map.of("0", 672L, "1", 640L, "2", 688L, "other", 0L)));
    // SciPy: jensenshannon([25, 45, 330], [672, 640, 688], base=2) = 0.4305...
    assertThat(t.predicted().distanceTo(t.labels())).isCloseTo(0.4305, within(0.0005));
  }

  @Test
  void aBaselineWithoutOutputsOrAnotherPodsBaselineIsLeftOut() {
    assertThat(TrainedOutputs.of(List.of(pod("a", "[1, 2, 3, 0]", "[0, 0, 0, 0]", false))))
        .isEmpty();
    TrainedOutputs t =
        TrainedOutputs.of(
                List.of(
                    pod("a", "[10, 20, 170, 0]", "[672, 640, 688, 0]", true),
                    pod("old", "[50, 50, 100, 0]", "[50, 50, 50, 0]", true)))
            .orElseThrow();
    assertThat(t.pods()).isEqualTo(1);
    assertThat(t.predicted().total()).isEqualTo(200);
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
