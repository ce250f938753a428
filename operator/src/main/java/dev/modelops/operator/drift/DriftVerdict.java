package dev.modelops.operator.drift;

import dev.modelops.operator.api.v1alpha1.DriftStatus;
import java.util.Optional;

/**
 * status.drift and the DriftDetected condition after a reconcile: both empty when spec.drift is not
 * set.
 */
public record DriftVerdict(Optional<DriftStatus> status, Optional<Condition> condition) {

  /**
   * The DriftDetected condition's value.
   *
   * @param status True, False or Unknown
   */
  public record Condition(String status, String reason, String message) {
    public boolean isTrue() {
      return "True".equals(status);
    }
  }

  public static final DriftVerdict NONE = new DriftVerdict(Optional.empty(), Optional.empty());
}
