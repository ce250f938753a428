package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionPlan;
import dev.modelops.operator.history.RevisionTemplate;
import dev.modelops.operator.rollout.ServingPlan;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the informers hold for one ModelDeployment, and the plans derived from it. Every dependent
 * and the status computation read the same state, so they agree within one reconcile.
 */
public record ObservedState(
    ModelDeployment mdep,
    List<Revision> history,
    Map<Integer, Deployment> deployments,
    List<Pod> pods,
    Optional<String> invalidSpec,
    RevisionPlan revisions,
    ServingPlan serving) {

  public static final String SOURCE_ANNOTATION = "modelops.dev/revision-source";

  public static ObservedState of(ModelDeployment mdep, Context<ModelDeployment> context) {
    List<Revision> history =
        context
            .getSecondaryResourcesAsStream(ControllerRevision.class)
            .filter(cr -> Labels.belongsTo(mdep, cr))
            .map(ObservedState::toRevision)
            .flatMap(Optional::stream)
            .toList();
    Map<Integer, Deployment> deployments =
        context
            .getSecondaryResourcesAsStream(Deployment.class)
            .filter(d -> Labels.belongsTo(mdep, d))
            .filter(d -> d.getMetadata().getLabels().containsKey(Labels.REVISION))
            .collect(
                Collectors.toMap(
                    d -> Integer.parseInt(d.getMetadata().getLabels().get(Labels.REVISION)),
                    d -> d,
                    (a, b) -> a));
    List<Pod> pods =
        context
            .getSecondaryResourcesAsStream(Pod.class)
            .filter(p -> Labels.belongsTo(mdep, p))
            .toList();
    Optional<Integer> recordedStable =
        Optional.ofNullable(mdep.getStatus()).map(s -> s.stableRevision);
    Optional<String> invalidSpec = SpecCheck.problem(mdep);
    if (invalidSpec.isPresent()) {
      // Nothing new is planned from a spec that cannot be served: what runs keeps running.
      return new ObservedState(mdep, history, deployments, pods, invalidSpec, null, null);
    }
    RevisionPlan revisions =
        RevisionPlan.decide(
            history,
            RevisionTemplate.of(mdep),
            mdep.getSpec().rollout.revisionHistoryLimit,
            recordedStable);
    Optional<Integer> stable =
        recordedStable
            .filter(s -> revisions.find(s).isPresent())
            .or(() -> newestServing(deployments, revisions.latest().number()));
    boolean latestReady = fullyReady(deployments.get(revisions.latest().number()), replicas(mdep));
    ServingPlan serving = ServingPlan.decide(revisions.latest().number(), stable, latestReady);
    return new ObservedState(mdep, history, deployments, pods, invalidSpec, revisions, serving);
  }

  /** The stable revision when status lost it: the newest other revision that still has pods. */
  private static Optional<Integer> newestServing(Map<Integer, Deployment> deployments, int latest) {
    return deployments.keySet().stream().filter(n -> n != latest).max(Integer::compare);
  }

  static int replicas(ModelDeployment mdep) {
    return Objects.requireNonNullElse(mdep.getSpec().runtime.replicas, 1);
  }

  static boolean fullyReady(Deployment deployment, int desired) {
    if (!observed(deployment)) {
      return false;
    }
    var status = deployment.getStatus();
    int ready = Objects.requireNonNullElse(status.getReadyReplicas(), 0);
    int updated = Objects.requireNonNullElse(status.getUpdatedReplicas(), 0);
    return ready >= desired && updated >= desired;
  }

  /** Whether the deployment controller's status describes the Deployment's latest generation. */
  private static boolean observed(Deployment deployment) {
    return deployment != null
        && deployment.getStatus() != null
        && Objects.equals(
            deployment.getStatus().getObservedGeneration(),
            deployment.getMetadata().getGeneration());
  }

  /**
   * Whether the deployment controller has yet to look at a change of one of the Deployments. A
   * Deployment's generation moves with its annotations too, so anyone's {@code kubectl annotate}
   * makes its status one generation old for a moment, though no pod changed.
   */
  public boolean deploymentsSettling() {
    return deployments.values().stream().anyMatch(d -> !observed(d));
  }

  /** A kept revision by number, from the plan or, for an unservable spec, from the history. */
  public Optional<Revision> revision(int number) {
    return revisions != null
        ? revisions.find(number)
        : history.stream().filter(r -> r.number() == number).findFirst();
  }

  /** The revisions that get pods: the plan's, or for an unservable spec the ones that have them. */
  public java.util.Set<Integer> served() {
    return serving != null
        ? serving.serve()
        : deployments.keySet().stream()
            .filter(n -> revision(n).isPresent())
            .collect(Collectors.toSet());
  }

  /** The revisions to keep: the plan's, or for an unservable spec the whole history. */
  public List<Revision> keptRevisions() {
    return revisions != null ? revisions.kept() : history;
  }

  /** Pods of one revision. */
  public List<Pod> podsOf(int revision) {
    String value = Integer.toString(revision);
    return pods.stream()
        .filter(p -> value.equals(p.getMetadata().getLabels().get(Labels.REVISION)))
        .toList();
  }

  private static Optional<Revision> toRevision(ControllerRevision cr) {
    try {
      RevisionTemplate template = RevisionTemplate.fromJson(Serialization.asJson(cr.getData()));
      String source =
          Optional.ofNullable(cr.getMetadata().getAnnotations())
              .map(a -> a.get(SOURCE_ANNOTATION))
              .orElse("Spec");
      return Optional.of(
          new Revision(
              cr.getRevision().intValue(),
              template.hash(),
              template,
              source,
              cr.getMetadata().getCreationTimestamp()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
