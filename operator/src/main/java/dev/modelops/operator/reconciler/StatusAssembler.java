package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.Conditions;
import dev.modelops.operator.api.v1alpha1.Conditions.Reason;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.RevisionSummary;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.dependent.ModelLocation;
import dev.modelops.operator.dependent.ServiceDependent;
import dev.modelops.operator.drift.DriftVerdict;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.retraining.RetrainingDecision;
import dev.modelops.operator.rollout.RolloutDecider;
import dev.modelops.operator.rollout.RolloutInputs.PodCounts;
import dev.modelops.operator.rollout.RolloutPlan;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Builds a fresh status, holding only what the operator owns, from the observed state. */
public final class StatusAssembler {

  private StatusAssembler() {}

  public static ModelDeploymentStatus assemble(
      ObservedState state, RolloutPlan plan, int port, String now) {
    return assemble(state, plan, DriftVerdict.NONE, port, now);
  }

  public static ModelDeploymentStatus assemble(
      ObservedState state, RolloutPlan plan, DriftVerdict drift, int port, String now) {
    return assemble(state, plan, drift, RetrainingDecision.NONE, port, now);
  }

  public static ModelDeploymentStatus assemble(
      ObservedState state,
      RolloutPlan plan,
      DriftVerdict drift,
      RetrainingDecision retraining,
      int port,
      String now) {
    ModelDeployment mdep = state.mdep();
    ModelDeploymentStatus previous = state.recorded();
    if (state.invalidSpec().isPresent()) {
      return invalid(mdep, previous, state.invalidSpec().get(), drift, now);
    }
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.observedGeneration = mdep.getMetadata().getGeneration();
    int desired = ObservedState.replicas(mdep);
    int stable = plan.stable();
    PodCounts stablePods = ObservedState.counts(state.deployments().get(stable));
    Revision stableRevision = plan.revision(stable).orElseThrow();
    Optional<Integer> rolling = plan.canary().map(c -> c.revision);

    status.stableRevision = stable;
    status.replicas = desired;
    status.readyReplicas = stablePods.ready();
    status.selector = "%s=%s".formatted(Labels.DEPLOYMENT, mdep.getMetadata().getName());
    status.modelName = Labels.modelName(mdep, stableRevision);
    status.endpoint = ServiceDependent.endpoint(mdep, port, status.modelName);
    status.revisions = plan.kept().stream().map(r -> summary(r, stable, plan)).toList();

    // Pod problems are looked for where something is coming up: the rolling revision, else the
    // stable one.
    Revision watched = plan.revision(rolling.orElse(stable)).orElseThrow();
    String gpuResource =
        watched.template().runtime().gpu == null
            ? null
            : watched.template().runtime().gpu.resourceName;
    Optional<PodProblem> problem = PodProblem.of(state.podsOf(watched.number()), gpuResource);

    ConditionList conditions =
        new ConditionList(previous.conditions, status.observedGeneration, now);
    if (desired == 0) {
      conditions.set(
          Conditions.AVAILABLE,
          false,
          Reason.SCALED_TO_ZERO,
          "spec.runtime.replicas is 0: no pods serve the model");
    } else if (stablePods.fullyReady(desired) && stablePods.ready() > 0) {
      conditions.set(
          Conditions.AVAILABLE,
          true,
          Reason.MINIMUM_REPLICAS_AVAILABLE,
          "revision %d serves with %d/%d pods ready"
              .formatted(stable, stablePods.ready(), desired));
    } else {
      Optional<PodProblem> stableProblem =
          rolling.isPresent() ? PodProblem.of(state.podsOf(stable), gpuResource) : problem;
      conditions.set(
          Conditions.AVAILABLE,
          false,
          stableProblem.map(PodProblem::reason).orElse(Reason.MINIMUM_REPLICAS_UNAVAILABLE),
          "revision %d has %d/%d pods ready%s"
              .formatted(
                  stable,
                  stablePods.ready(),
                  desired,
                  stableProblem.map(p -> ": " + p.message()).orElse("")));
    }
    RolloutPlan.Condition progressing = plan.progressing();
    conditions.set(
        Conditions.PROGRESSING, progressing.status(), progressing.reason(), progressing.message());
    if (problem.isPresent()) {
      conditions.set(Conditions.DEGRADED, true, problem.get().reason(), problem.get().message());
    } else if (plan.degraded().isPresent()) {
      RolloutPlan.Condition d = plan.degraded().get();
      conditions.set(Conditions.DEGRADED, d.status(), d.reason(), d.message());
    } else {
      conditions.set(Conditions.DEGRADED, false, Reason.AS_EXPECTED, "no problem seen");
    }
    setDrift(conditions, drift);
    retraining
        .condition()
        .ifPresent(c -> conditions.set(Conditions.RETRAINING, c.status(), c.reason(), c.message()));
    status.conditions = conditions.build();
    status.canary = plan.canary().orElse(null);
    status.lastAction = plan.action().orElse(previous.lastAction);
    status.drift = drift.status().orElse(null);
    status.retraining = retraining.status().orElse(null);
    return status;
  }

  /** The previous status, with the problem in Degraded and the rollout stopped. */
  private static ModelDeploymentStatus invalid(
      ModelDeployment mdep,
      ModelDeploymentStatus previous,
      String problem,
      DriftVerdict drift,
      String now) {
    ModelDeploymentStatus status = io.fabric8.kubernetes.client.utils.Serialization.clone(previous);
    long generation = mdep.getMetadata().getGeneration();
    status.observedGeneration = generation;
    ConditionList conditions = new ConditionList(previous.conditions, generation, now);
    ConditionList.find(previous.conditions, Conditions.AVAILABLE)
        .ifPresentOrElse(
            a ->
                conditions.set(
                    Conditions.AVAILABLE,
                    "True".equals(a.getStatus()),
                    a.getReason(),
                    a.getMessage()),
            () ->
                conditions.set(
                    Conditions.AVAILABLE,
                    false,
                    Reason.INVALID_SPEC,
                    "nothing is served: " + problem));
    conditions.set(
        Conditions.PROGRESSING,
        false,
        Reason.INVALID_SPEC,
        "the spec cannot be served: " + problem);
    conditions.set(Conditions.DEGRADED, true, Reason.INVALID_SPEC, problem);
    setDrift(conditions, drift);
    // Nothing is decided about retraining while the spec cannot be served: it stays as it was.
    ConditionList.find(previous.conditions, Conditions.RETRAINING)
        .filter(c -> mdep.getSpec().retraining != null)
        .ifPresent(
            c ->
                conditions.set(
                    Conditions.RETRAINING, c.getStatus(), c.getReason(), c.getMessage()));
    status.conditions = conditions.build();
    status.drift = drift.status().orElse(null);
    if (mdep.getSpec().retraining == null) {
      status.retraining = null;
    }
    return status;
  }

  private static void setDrift(ConditionList conditions, DriftVerdict drift) {
    drift
        .condition()
        .ifPresent(
            c -> conditions.set(Conditions.DRIFT_DETECTED, c.status(), c.reason(), c.message()));
  }

  private static RevisionSummary summary(Revision r, int stable, RolloutPlan plan) {
    RevisionSummary s = new RevisionSummary();
    s.number = r.number();
    s.modelVersion = r.template().model().version;
    s.uri = ModelLocation.redacted(r.template().model().uri);
    s.sha256 = r.template().model().sha256;
    s.source = RevisionSummary.Source.valueOf(r.source());
    s.phase = phase(r, stable, plan);
    s.outcome = r.outcome().map(Revision.Outcome::message).orElse(null);
    s.createdAt = r.createdAt();
    return s;
  }

  private static String phase(Revision r, int stable, RolloutPlan plan) {
    if (r.number() == stable) {
      return "Serving";
    }
    if (r.outcome().isPresent()) {
      return r.outcome().get().kind();
    }
    return plan.canary()
        .filter(c -> Objects.equals(c.revision, r.number()))
        .map(c -> RolloutDecider.CANARY.equals(c.strategy) ? "Canary" : "RollingOut")
        .orElse("Superseded");
  }

  static List<String> types() {
    return List.of(Conditions.AVAILABLE, Conditions.PROGRESSING, Conditions.DEGRADED);
  }
}
