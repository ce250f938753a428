package dev.modelops.operator.rollout;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Which revisions get pods, and which one is stable. The Immediate strategy keeps the stable
 * revision's pods until the latest revision is fully ready, so capacity never drops during a
 * change.
 *
 * @param serve revisions that get a Deployment
 * @param stable the revision that serves when nothing is in progress
 * @param rollingOut whether the latest revision is still coming up beside the stable one
 */
public record ServingPlan(Set<Integer> serve, int stable, boolean rollingOut) {

  /**
   * @param latest the revision of the current spec
   * @param previousStable the stable revision recorded before, if it is still kept
   * @param latestReady whether the latest revision has all its replicas ready
   */
  public static ServingPlan decide(
      int latest, Optional<Integer> previousStable, boolean latestReady) {
    if (previousStable.isEmpty() || previousStable.get() == latest || latestReady) {
      return new ServingPlan(Set.of(latest), latest, false);
    }
    Set<Integer> serve = new LinkedHashSet<>();
    serve.add(previousStable.get());
    serve.add(latest);
    return new ServingPlan(Set.copyOf(serve), previousStable.get(), true);
  }
}
