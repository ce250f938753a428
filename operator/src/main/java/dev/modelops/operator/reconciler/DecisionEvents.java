package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.Conditions;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.rollout.RolloutPlan.Event;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The Kubernetes Events a status change deserves: one per decision, none when nothing changed. */
public final class DecisionEvents {

  private static final java.util.Set<String> ROLLOUT_FAILURES =
      java.util.Set.of(
          Conditions.Reason.ANALYSIS_FAILED, Conditions.Reason.PROGRESS_DEADLINE_EXCEEDED);

  private DecisionEvents() {}

  public static List<Event> between(
      ModelDeployment mdep, ModelDeploymentStatus before, ModelDeploymentStatus after) {
    List<Event> events = new ArrayList<>();
    ModelDeploymentStatus old = Optional.ofNullable(before).orElseGet(ModelDeploymentStatus::new);
    Integer newestBefore =
        old.revisions.stream().map(r -> r.number).max(Integer::compare).orElse(0);
    after.revisions.stream()
        .filter(r -> r.number > newestBefore)
        .forEach(
            r ->
                events.add(
                    new Event(
                        "Normal",
                        "RevisionCreated",
                        "created revision %d for model version %s (%s)"
                            .formatted(r.number, Objects.toString(r.modelVersion, "-"), r.uri))));
    int cpuBefore =
        Optional.ofNullable(old.executionProviders).map(p -> p.getOrDefault("cpu", 0)).orElse(0);
    int cpuAfter =
        Optional.ofNullable(after.executionProviders).map(p -> p.getOrDefault("cpu", 0)).orElse(0);
    if (cpuAfter > cpuBefore) {
      events.add(
          new Event(
              "Warning",
              "CpuFallback",
              ("%d of the serving revision's pods run this GPU model on the CPU: ONNX Runtime's"
                      + " CUDA provider could not be used and spec.runtime.gpu.allowCpuFallback is"
                      + " true (the runtime's log says why)")
                  .formatted(cpuAfter)));
    }
    if (old.replicas != null && !Objects.equals(old.replicas, after.replicas)) {
      events.add(
          new Event(
              "Normal",
              "Scaled",
              "scaled from %d to %d pods".formatted(old.replicas, after.replicas)));
    }
    Optional<Condition> degradedBefore = ConditionList.find(old.conditions, Conditions.DEGRADED);
    Optional<Condition> degradedAfter = ConditionList.find(after.conditions, Conditions.DEGRADED);
    boolean wasDegraded = degradedBefore.map(c -> "True".equals(c.getStatus())).orElse(false);
    boolean isDegraded = degradedAfter.map(c -> "True".equals(c.getStatus())).orElse(false);
    String reasonBefore = degradedBefore.map(Condition::getReason).orElse("");
    // A rollout's own failures are announced by the rollout decision (RolledBack), once.
    boolean rolloutFailure =
        degradedAfter.map(c -> ROLLOUT_FAILURES.contains(c.getReason())).orElse(false);
    if (isDegraded
        && !rolloutFailure
        && (!wasDegraded || !reasonBefore.equals(degradedAfter.get().getReason()))) {
      events.add(
          new Event("Warning", degradedAfter.get().getReason(), degradedAfter.get().getMessage()));
    } else if (wasDegraded && !isDegraded) {
      events.add(new Event("Normal", "Recovered", "recovered from " + reasonBefore));
    }
    // Drift: on transitions only, so a score that moves within a state says nothing.
    boolean wasDrifted = ConditionList.isTrue(old.conditions, Conditions.DRIFT_DETECTED);
    Optional<Condition> drift = ConditionList.find(after.conditions, Conditions.DRIFT_DETECTED);
    if (drift.map(c -> "True".equals(c.getStatus())).orElse(false) && !wasDrifted) {
      events.add(new Event("Warning", "DriftDetected", drift.get().getMessage()));
    } else if (wasDrifted && drift.map(c -> "False".equals(c.getStatus())).orElse(false)) {
      events.add(new Event("Normal", "DriftCleared", drift.get().getMessage()));
    }
    boolean wasAvailable = ConditionList.isTrue(old.conditions, Conditions.AVAILABLE);
    boolean isAvailable = ConditionList.isTrue(after.conditions, Conditions.AVAILABLE);
    if (isAvailable && !wasAvailable) {
      events.add(
          new Event(
              "Normal",
              "Available",
              ConditionList.find(after.conditions, Conditions.AVAILABLE)
                  .orElseThrow()
                  .getMessage()));
    }
    return events;
  }

  /**
   * The Kubernetes Event of a decision about {@code mdep} at {@code time}, its message made fit by
   * {@link StatusMessage} as a condition's is.
   */
  static io.fabric8.kubernetes.api.model.Event kubernetesEvent(
      ModelDeployment mdep, Event d, String time) {
    return new EventBuilder()
        .withNewMetadata()
        .withGenerateName(mdep.getMetadata().getName() + ".")
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(mdep.getApiVersion())
        .withKind(mdep.getKind())
        .withName(mdep.getMetadata().getName())
        .withNamespace(mdep.getMetadata().getNamespace())
        .withUid(mdep.getMetadata().getUid())
        .endInvolvedObject()
        .withType(d.type())
        .withReason(d.reason())
        .withMessage(StatusMessage.of(d.message()))
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .withNewSource()
        .withComponent("modelops-operator")
        .endSource()
        .build();
  }
}
