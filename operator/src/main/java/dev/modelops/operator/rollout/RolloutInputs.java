package dev.modelops.operator.rollout;

import dev.modelops.operator.api.v1alpha1.CanaryStatus;
import dev.modelops.operator.api.v1alpha1.RolloutSpec;
import dev.modelops.operator.history.RevisionPlan;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one rollout decision reads, read once per reconcile.
 *
 * @param rollout spec.rollout
 * @param replicas spec.runtime.replicas
 * @param revisions the kept revisions and the one the spec describes
 * @param stable the stable revision recorded in status (or recovered from the Deployments)
 * @param previous the rollout in progress as status recorded it
 * @param pods each revision's pods, by revision number
 * @param requests the modelops.dev/ annotations on the ModelDeployment
 * @param check the analysis measured in this reconcile, if one was due
 * @param now the decision's clock
 */
public record RolloutInputs(
    RolloutSpec rollout,
    int replicas,
    RevisionPlan revisions,
    Optional<Integer> stable,
    Optional<CanaryStatus> previous,
    Map<Integer, PodCounts> pods,
    ManualRequests requests,
    Optional<Check> check,
    Instant now) {

  /**
   * What the deployment controller reports for one revision's pods. Its counts are read even when
   * its status is one generation old: an annotation moves a Deployment's generation too, and a
   * scale-up is not ready by its counts either.
   */
  public record PodCounts(int ready, int updated) {
    public static final PodCounts NONE = new PodCounts(0, 0);

    public boolean fullyReady(int desired) {
      return ready >= desired && updated >= desired;
    }
  }

  /** The annotations a user sets to act on a rollout; the operator removes each once acted on. */
  public record ManualRequests(
      boolean promote, Optional<String> rollbackTo, boolean rollbackImmediate) {
    public static final String PROMOTE = "modelops.dev/promote";
    public static final String ROLLBACK_TO = "modelops.dev/rollback-to";
    public static final String ROLLBACK_IMMEDIATE = "modelops.dev/rollback-immediate";
    public static final ManualRequests NONE = new ManualRequests(false, Optional.empty(), false);

    public static ManualRequests of(Map<String, String> annotations) {
      Map<String, String> a = annotations == null ? Map.of() : annotations;
      return new ManualRequests(
          "true".equalsIgnoreCase(a.get(PROMOTE)),
          Optional.ofNullable(a.get(ROLLBACK_TO)),
          "true".equalsIgnoreCase(a.get(ROLLBACK_IMMEDIATE)));
    }
  }

  /** An analysis measured in this reconcile. */
  public sealed interface Check {
    /** Both revisions' numbers over the interval since status.canary.lastAnalysisAt. */
    record Measured(IntervalStats canary, IntervalStats stable) implements Check {}

    /** The operator has no sample from the interval's start (it restarted): measure from now. */
    record NoEarlierSample() implements Check {}

    /** The metrics could not be read (Prometheus did not answer): the check is inconclusive. */
    record Unavailable(String message) implements Check {}
  }

  PodCounts podsOf(int revision) {
    return pods.getOrDefault(revision, PodCounts.NONE);
  }
}
