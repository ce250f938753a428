package dev.modelops.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.Conditions;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.rollout.RolloutPlan.Event;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DriftDetected and DriftCleared are Events of the condition's transitions, not of its updates. */
class DriftEventsTest {

  static ModelDeploymentStatus with(String status, String reason, String message) {
    ModelDeploymentStatus s = new ModelDeploymentStatus();
    s.conditions =
        new ConditionList(List.of(), 1, "2026-12-02T01:00:00Z")
            .set(Conditions.DRIFT_DETECTED, status, reason, message)
            .build();
    return s;
  }

  static List<Event> between(ModelDeploymentStatus a, ModelDeploymentStatus b) {
    return DecisionEvents.between(StatusAssemblerTest.mdep(1, 1), a, b).stream()
        .filter(e -> e.reason().startsWith("Drift"))
        .toList();
  }

  @Test
  void onlyTransitionsMakeEvents() {
    ModelDeploymentStatus collecting = with("Unknown", "Collecting", "collecting: 10 of 200");
    ModelDeploymentStatus quiet = with("False", "NoDrift", "psi 0.01");
    ModelDeploymentStatus drifted = with("True", "DriftDetected", "psi 0.9 ...; worst: x2 0.9");
    ModelDeploymentStatus stillDrifted =
        with("True", "DriftDetected", "psi 0.8 ...; worst: x2 0.8");

    assertThat(between(null, collecting)).isEmpty();
    assertThat(between(collecting, quiet)).isEmpty();
    assertThat(between(quiet, drifted))
        .containsExactly(new Event("Warning", "DriftDetected", "psi 0.9 ...; worst: x2 0.9"));
    assertThat(between(drifted, stillDrifted)).isEmpty();
    assertThat(between(stillDrifted, quiet))
        .containsExactly(new Event("Normal", "DriftCleared", "psi 0.01"));
    assertThat(between(quiet, quiet)).isEmpty();
    assertThat(between(drifted, collecting)).isEmpty();
  }
}
