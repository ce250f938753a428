package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionPlan;
import dev.modelops.operator.history.RevisionTemplate;
import dev.modelops.operator.rollout.RolloutInputs;
import dev.modelops.operator.rollout.RolloutInputs.PodCounts;
import dev.modelops.operator.rollout.RolloutPlan;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the informers hold for one ModelDeployment, read once per reconcile, with the status to
 * decide on (the last one written, when the informer has not caught up with it yet).
 */
public record ObservedState(
    ModelDeployment mdep,
    ModelDeploymentStatus recorded,
    List<Revision> history,
    Map<Integer, Deployment> deployments,
    List<Pod> pods,
    Optional<String> invalidSpec,
    RevisionPlan revisions,
    List<TamperedObject> tampered) {

  public static final String SOURCE_ANNOTATION = "modelops.dev/revision-source";
  public static final String OUTCOME_ANNOTATION = "modelops.dev/outcome";
  public static final String OUTCOME_REASON_ANNOTATION = "modelops.dev/outcome-reason";
  public static final String OUTCOME_MESSAGE_ANNOTATION = "modelops.dev/outcome-message";

  /** The revision's drift baseline, JSON {"uri","sha256"}: outside the template's hash. */
  public static final String BASELINE_ANNOTATION = "modelops.dev/baseline";

  public static ObservedState of(
      ModelDeployment mdep, ModelDeploymentStatus recorded, Context<ModelDeployment> context) {
    return from(
        mdep,
        recorded,
        context.getSecondaryResourcesAsStream(ControllerRevision.class).toList(),
        context.getSecondaryResourcesAsStream(Deployment.class).toList(),
        context.getSecondaryResourcesAsStream(Pod.class).toList());
  }

  /** The state from the objects the informers hold (every ModelDeployment's, filtered here). */
  static ObservedState from(
      ModelDeployment mdep,
      ModelDeploymentStatus recorded,
      List<ControllerRevision> controllerRevisions,
      List<Deployment> allDeployments,
      List<Pod> allPods) {
    RevisionObjects.History kept = RevisionObjects.history(mdep, controllerRevisions);
    List<Revision> history = kept.revisions();
    List<TamperedObject> tampered = new ArrayList<>(kept.tampered());
    Map<Integer, Deployment> deployments =
        RevisionObjects.deployments(mdep, allDeployments, tampered);
    List<Pod> pods = allPods.stream().filter(p -> Labels.belongsTo(mdep, p)).toList();
    ModelDeploymentStatus status =
        Optional.ofNullable(recorded).orElseGet(ModelDeploymentStatus::new);
    Optional<String> invalidSpec = SpecCheck.problem(mdep);
    if (invalidSpec.isPresent()) {
      // Nothing new is planned from a spec that cannot be served: what runs keeps running.
      return new ObservedState(
          mdep, status, history, deployments, pods, invalidSpec, null, List.copyOf(tampered));
    }
    RevisionPlan revisions =
        RevisionPlan.decide(
                history,
                RevisionTemplate.of(mdep),
                mdep.getSpec().rollout.revisionHistoryLimit,
                Optional.ofNullable(status.stableRevision),
                kept.highestNumber())
            .withBaseline(Optional.ofNullable(mdep.getSpec().model.baseline));
    return new ObservedState(
        mdep, status, history, deployments, pods, invalidSpec, revisions, List.copyOf(tampered));
  }

  /** What the rollout decision reads, with the analysis measured in this reconcile if any. */
  public RolloutInputs inputs(
      RolloutInputs.ManualRequests requests, Optional<RolloutInputs.Check> check, Instant now) {
    return new RolloutInputs(
        mdep.getSpec().rollout,
        replicas(mdep),
        revisions,
        stable(),
        Optional.ofNullable(recorded.canary),
        deployments.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> counts(e.getValue()))),
        requests,
        check,
        now);
  }

  /**
   * The stable revision: as recorded, or when status lost it, the newest revision with pods other
   * than the newest one (the one that would be rolling out).
   */
  Optional<Integer> stable() {
    Optional<Integer> recordedStable =
        Optional.ofNullable(recorded.stableRevision).filter(s -> revisions.find(s).isPresent());
    if (recordedStable.isPresent()) {
      return recordedStable;
    }
    int newest = revisions.newest().number();
    return deployments.keySet().stream()
        .filter(n -> n != newest && revisions.find(n).isPresent())
        .max(Integer::compare);
  }

  static PodCounts counts(Deployment d) {
    if (d == null || d.getStatus() == null) {
      return PodCounts.NONE;
    }
    return new PodCounts(
        Objects.requireNonNullElse(d.getStatus().getReadyReplicas(), 0),
        Objects.requireNonNullElse(d.getStatus().getUpdatedReplicas(), 0));
  }

  static int replicas(ModelDeployment mdep) {
    return Objects.requireNonNullElse(mdep.getSpec().runtime.replicas, 1);
  }

  /** The same state with a revision a retraining Job reported added as the newest. */
  public ObservedState withRetrained(Revision retrained) {
    return new ObservedState(
        mdep,
        recorded,
        history,
        deployments,
        pods,
        invalidSpec,
        revisions.withRetrained(retrained),
        tampered);
  }

  /** Holds what runs: for a spec that cannot be served, nothing new is planned. */
  public RolloutPlan hold() {
    Map<Integer, Integer> replicas =
        deployments.entrySet().stream()
            .filter(e -> revision(e.getKey()).isPresent())
            .collect(
                Collectors.toMap(
                    Map.Entry::getKey,
                    e -> Objects.requireNonNullElse(e.getValue().getSpec().getReplicas(), 1)));
    List<Revision> kept = new java.util.ArrayList<>(history);
    kept.sort(java.util.Comparator.comparingInt(Revision::number));
    int stable = Objects.requireNonNullElse(recorded.stableRevision, 0);
    return new RolloutPlan(
        stable,
        replicas,
        Map.of(stable, 100),
        List.copyOf(kept),
        Optional.ofNullable(recorded.canary),
        new RolloutPlan.Condition(false, "InvalidSpec", ""),
        Optional.empty(),
        List.of(),
        Optional.empty(),
        Optional.empty(),
        java.util.Set.of());
  }

  /** A kept revision by number, from the plan or, for an unservable spec, from the history. */
  public Optional<Revision> revision(int number) {
    return revisions != null
        ? revisions.find(number)
        : history.stream().filter(r -> r.number() == number).findFirst();
  }

  /** Pods of one revision. */
  public List<Pod> podsOf(int revision) {
    String value = Integer.toString(revision);
    return pods.stream()
        .filter(p -> value.equals(p.getMetadata().getLabels().get(Labels.REVISION)))
        .toList();
  }
}
