package dev.modelops.operator.retraining;

import dev.modelops.operator.api.v1alpha1.RetrainingStatus;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.rollout.RolloutPlan;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one reconcile does about retraining.
 *
 * @param create the Job to create, if one starts now
 * @param condition the Retraining condition; empty without spec.retraining
 * @param status status.retraining; empty without spec.retraining
 * @param revision a revision recording the model a Job reported, new in this reconcile
 * @param events what to record as Events, one per step
 * @param requeueAfter when to look again: a retry's or the cooldown's end
 */
public record RetrainingDecision(
    Optional<JobRequest> create,
    Optional<RolloutPlan.Condition> condition,
    Optional<RetrainingStatus> status,
    Optional<Revision> revision,
    List<RolloutPlan.Event> events,
    Optional<Duration> requeueAfter) {

  public static final RetrainingDecision NONE =
      new RetrainingDecision(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          List.of(),
          Optional.empty());

  /** A Job to start: its name, its sequence number and its attempt for the current drift. */
  public record JobRequest(String name, int sequence, int attempt) {}
}
