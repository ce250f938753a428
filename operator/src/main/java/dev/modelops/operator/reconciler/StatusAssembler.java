package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.Conditions;
import dev.modelops.operator.api.v1alpha1.Conditions.Reason;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.RevisionSummary;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.dependent.ServiceDependent;
import dev.modelops.operator.history.Revision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Builds a fresh status, holding only what the operator owns, from the observed state. */
public final class StatusAssembler {

  private StatusAssembler() {}

  public static ModelDeploymentStatus assemble(ObservedState state, int port, String now) {
    ModelDeployment mdep = state.mdep();
    ModelDeploymentStatus previous =
        Optional.ofNullable(mdep.getStatus()).orElseGet(ModelDeploymentStatus::new);
    if (state.invalidSpec().isPresent()) {
      return invalid(mdep, previous, state.invalidSpec().get(), now);
    }
    if (state.deploymentsSettling() && describesGeneration(previous, mdep)) {
      // Nothing new is known until the deployment controller has looked, and its status update
      // wakes the next reconcile: judging readiness now would flip Available off and on again.
      return previous;
    }
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.observedGeneration = mdep.getMetadata().getGeneration();
    int desired = ObservedState.replicas(mdep);
    int latest = state.revisions().latest().number();
    int stable = state.serving().stable();
    Deployment stableDeployment = state.deployments().get(stable);
    int ready = readyReplicas(stableDeployment);
    boolean latestReady = ObservedState.fullyReady(state.deployments().get(latest), desired);
    boolean stableReady = ObservedState.fullyReady(stableDeployment, desired);

    status.stableRevision = stable;
    status.replicas = desired;
    status.readyReplicas = ready;
    status.selector = "%s=%s".formatted(Labels.DEPLOYMENT, mdep.getMetadata().getName());
    status.modelName = Labels.modelName(mdep);
    status.endpoint = ServiceDependent.endpoint(mdep, port, status.modelName);
    status.revisions =
        state.revisions().kept().stream().map(r -> summary(r, stable, latest)).toList();

    String gpuResource =
        state.revisions().latest().template().runtime().gpu == null
            ? null
            : state.revisions().latest().template().runtime().gpu.resourceName;
    Optional<PodProblem> problem = PodProblem.of(state.podsOf(latest), gpuResource);

    ConditionList conditions =
        new ConditionList(previous.conditions, status.observedGeneration, now);
    if (desired == 0) {
      conditions.set(
          Conditions.AVAILABLE,
          false,
          Reason.SCALED_TO_ZERO,
          "spec.runtime.replicas is 0: no pods serve the model");
    } else if (stableReady && ready > 0) {
      conditions.set(
          Conditions.AVAILABLE,
          true,
          Reason.MINIMUM_REPLICAS_AVAILABLE,
          "revision %d serves with %d/%d pods ready".formatted(stable, ready, desired));
    } else {
      conditions.set(
          Conditions.AVAILABLE,
          false,
          problem.map(PodProblem::reason).orElse(Reason.MINIMUM_REPLICAS_UNAVAILABLE),
          "revision %d has %d/%d pods ready%s"
              .formatted(stable, ready, desired, problem.map(p -> ": " + p.message()).orElse("")));
    }
    if (latestReady || desired == 0) {
      conditions.set(
          Conditions.PROGRESSING,
          false,
          Reason.ROLLOUT_COMPLETE,
          "revision %d is rolled out".formatted(latest));
    } else {
      conditions.set(
          Conditions.PROGRESSING,
          true,
          Reason.ROLLING_OUT,
          "revision %d is coming up: %d/%d pods ready"
              .formatted(latest, readyReplicas(state.deployments().get(latest)), desired));
    }
    if (problem.isPresent()) {
      conditions.set(Conditions.DEGRADED, true, problem.get().reason(), problem.get().message());
    } else {
      conditions.set(Conditions.DEGRADED, false, Reason.AS_EXPECTED, "no problem seen");
    }
    status.conditions = conditions.build();
    status.canary = previous.canary;
    status.drift = previous.drift;
    status.retraining = previous.retraining;
    return status;
  }

  /** The previous status, with the problem in Degraded and the rollout stopped. */
  private static ModelDeploymentStatus invalid(
      ModelDeployment mdep, ModelDeploymentStatus previous, String problem, String now) {
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
    status.conditions = conditions.build();
    return status;
  }

  /** Whether a status was already worked out for the ModelDeployment's current spec. */
  private static boolean describesGeneration(ModelDeploymentStatus status, ModelDeployment mdep) {
    return !status.conditions.isEmpty()
        && Objects.equals(status.observedGeneration, mdep.getMetadata().getGeneration());
  }

  private static RevisionSummary summary(Revision r, int stable, int latest) {
    RevisionSummary s = new RevisionSummary();
    s.number = r.number();
    s.modelVersion = r.template().model().version;
    s.uri = r.template().model().uri;
    s.sha256 = r.template().model().sha256;
    s.source = RevisionSummary.Source.valueOf(r.source());
    s.phase = r.number() == stable ? "Serving" : r.number() == latest ? "RollingOut" : "Superseded";
    s.createdAt = r.createdAt();
    return s;
  }

  private static int readyReplicas(Deployment d) {
    return d == null || d.getStatus() == null
        ? 0
        : Objects.requireNonNullElse(d.getStatus().getReadyReplicas(), 0);
  }

  static List<String> types() {
    return List.of(Conditions.AVAILABLE, Conditions.PROGRESSING, Conditions.DEGRADED);
  }
}
