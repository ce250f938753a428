package dev.modelops.operator.rollout;

import dev.modelops.operator.api.v1alpha1.CanaryStatus;
import dev.modelops.operator.api.v1alpha1.ManualAction;
import dev.modelops.operator.history.Revision;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one reconcile does about the rollout: the dependents apply it, the status reports it.
 *
 * @param stable the revision that serves all traffic outside a rollout
 * @param replicas pods per revision; a revision not in the map has no Deployment
 * @param traffic percent of requests per revision where a router splits them by weight (Gateway
 *     API): all on stable, and a canary's share only once its step's pods are ready
 * @param kept the revisions to keep, oldest first, with their outcomes
 * @param canary the rollout in progress, if any
 * @param progressing the Progressing condition
 * @param degraded a problem of the rollout itself (a failed analysis, a missed deadline)
 * @param events what to record as Events, one per decision
 * @param requeueAfter when to look again if nothing else wakes the reconciler
 * @param action the manual request acted on, if any
 * @param handled the annotations to remove, since they were acted on
 */
public record RolloutPlan(
    int stable,
    Map<Integer, Integer> replicas,
    Map<Integer, Integer> traffic,
    List<Revision> kept,
    Optional<CanaryStatus> canary,
    Condition progressing,
    Optional<Condition> degraded,
    List<Event> events,
    Optional<Duration> requeueAfter,
    Optional<ManualAction> action,
    Set<String> handled) {

  /** A condition's status, reason and message. */
  public record Condition(boolean status, String reason, String message) {}

  /** One Event: Normal or Warning, a CamelCase reason, a sentence. */
  public record Event(String type, String reason, String message) {}

  /** The plan this reconcile decided, as the reconciler hands it to the dependents. */
  public static RolloutPlan of(Context<?> context) {
    return context
        .managedWorkflowAndDependentResourceContext()
        .getMandatory(RolloutPlan.class, RolloutPlan.class);
  }

  public Optional<Revision> revision(int number) {
    return kept.stream().filter(r -> r.number() == number).findFirst();
  }
}
