package dev.modelops.operator.retraining;

import java.time.Instant;
import java.util.Optional;

/**
 * A retraining Job as the API server reports it, without Kubernetes types.
 *
 * @param sequence the number in its name: each Job of a ModelDeployment has the next one
 * @param attempt 1 for the Job a trigger starts, one more for each retry of a failed Job
 * @param finishedAt when it completed or failed
 * @param failure why it failed, as the Job controller says
 */
public record ObservedJob(
    String name,
    int sequence,
    int attempt,
    Instant createdAt,
    State state,
    Optional<Instant> finishedAt,
    String failure) {

  public enum State {
    RUNNING,
    SUCCEEDED,
    FAILED
  }

  public static ObservedJob running(String name, int sequence, int attempt, Instant createdAt) {
    return new ObservedJob(name, sequence, attempt, createdAt, State.RUNNING, Optional.empty(), "");
  }
}
