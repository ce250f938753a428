package dev.modelops.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionListTest {

  static final String T0 = "2026-12-01T10:00:00Z";
  static final String T1 = "2026-12-01T10:05:00Z";

  @Test
  void transitionTimeMovesOnlyWhenStatusChanges() {
    List<Condition> first =
        new ConditionList(List.of(), 1, T0).set("Available", true, "Ready", "ok").build();
    List<Condition> same =
        new ConditionList(first, 2, T1).set("Available", true, "Ready", "still ok").build();
    assertThat(same.get(0).getLastTransitionTime()).isEqualTo(T0);
    assertThat(same.get(0).getObservedGeneration()).isEqualTo(2L);
    List<Condition> flipped =
        new ConditionList(same, 2, T1).set("Available", false, "Broken", "not ok").build();
    assertThat(flipped.get(0).getLastTransitionTime()).isEqualTo(T1);
  }

  @Test
  void aLongMessageIsCappedAtOneKibibyte() {
    String words = "pod p could not fetch the model: " + "x".repeat(5000);
    Condition degraded =
        new ConditionList(List.of(), 1, T0).set("Degraded", true, "Broken", words).build().get(0);
    assertThat(degraded.getMessage())
        .hasSize(StatusMessage.MAX_LENGTH)
        .startsWith("pod p could not fetch the model: xxx")
        .endsWith("…");
    assertThat(
            new ConditionList(List.of(), 1, T0)
                .set("Degraded", true, "Broken", "short")
                .build()
                .get(0)
                .getMessage())
        .isEqualTo("short");
  }
}
