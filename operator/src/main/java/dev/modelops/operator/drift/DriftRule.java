package dev.modelops.operator.drift;

import dev.modelops.drift.DriftScores;
import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.DriftSpec.Method;
import java.util.OptionalDouble;

/**
 * When a method's score is drift, and when it is clearly not any more: drift is set over the
 * threshold and clears only under a lower bound, so a score wandering around the threshold does not
 * flap.
 *
 * <p>psi, jensenShannon and wasserstein grow with drift: drift over {@code threshold}, clear under
 * {@code 0.8 x threshold}. ks scores with its p-value, which shrinks with drift and spans orders of
 * magnitude: the same rule on its evidence {@code -log10(p)}, that is drift under {@code
 * threshold}, clear over {@code threshold^0.8} (0.01 clears over 0.025).
 */
public record DriftRule(Method method, double threshold) {

  /** The clearing bound's share of the threshold (on the evidence scale for ks). */
  public static final double CLEAR_RATIO = 0.8;

  /** Evidence of a p-value of 0: what 1e-300 would give, so that differences stay finite. */
  private static final double MAX_EVIDENCE = 300;

  public static DriftRule of(DriftSpec spec) {
    return new DriftRule(spec.method, spec.thresholdOrDefault());
  }

  /** The method's value in a feature's or the overall scores, if the method applies. */
  public OptionalDouble score(DriftScores s) {
    return switch (method) {
      case psi -> OptionalDouble.of(s.psi());
      case jensenShannon -> OptionalDouble.of(s.jensenShannon());
      case wasserstein -> s.wasserstein();
      case ks -> s.ks().map(k -> OptionalDouble.of(k.pValue())).orElse(OptionalDouble.empty());
    };
  }

  /** How much drift a score says, growing with drift: the score, or -log10(p) for ks. */
  public double severity(double score) {
    if (method != Method.ks) {
      return score;
    }
    return score <= 0 ? MAX_EVIDENCE : Math.min(MAX_EVIDENCE, -Math.log10(score));
  }

  public boolean drifted(double score) {
    return severity(score) > severity(threshold);
  }

  /** Whether the score is under the clearing bound. */
  public boolean clears(double score) {
    return severity(score) < CLEAR_RATIO * severity(threshold);
  }

  /** The clearing bound in the method's own units. */
  public double clearBound() {
    return method == Method.ks ? Math.pow(threshold, CLEAR_RATIO) : CLEAR_RATIO * threshold;
  }

  /** "over"/"under" for messages: ks drifts under its threshold, the others over it. */
  String beyond() {
    return method == Method.ks ? "under" : "over";
  }

  String within() {
    return method == Method.ks ? "over" : "under";
  }
}
