package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** How the live inputs are compared with the training data. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.method != 'ks' || !has(self.threshold) || self.threshold < 1.0",
    message =
        "spec.drift.threshold is a p-value with method ks: it must be below 1, for example 0.01",
    fieldPath = ".threshold",
    reason = "FieldValueInvalid")
public class DriftSpec {

  public enum Method {
    psi,
    ks,
    jensenShannon,
    wasserstein
  }

  @Default("psi")
  @JsonPropertyDescription("Statistic per feature: psi, ks, jensenShannon or wasserstein.")
  public Method method = Method.psi;

  @Min(0)
  @JsonPropertyDescription(
      "Overall score above which the inputs have drifted (for ks: the p-value below which they"
          + " have). Defaults by method: psi 0.1, ks 0.01, jensenShannon 0.1, wasserstein 0.1."
          + " DriftDetected clears only when the score is back under 0.8 x threshold (ks: a"
          + " p-value over threshold^0.8) in two evaluations in a row.")
  public Double threshold;

  @Min(100)
  @Default("5000")
  @JsonPropertyDescription(
      "Samples in each pod's sliding window (the pods' MODELOPS_DRIFT_WINDOW; changing it"
          + " restarts them). The operator scores the sum of the pods' windows once it holds at"
          + " least this many samples.")
  public Integer window = 5000;

  @Pattern(ApiPatterns.DURATION)
  @Default("1m")
  @JsonPropertyDescription(
      "Time between two evaluations, for example 1m: the operator reads the drift report of"
          + " each ready pod of the stable revision this often.")
  public String evaluationInterval = "1m";

  /** The threshold of {@link #threshold}'s description, by method when none is set. */
  public double thresholdOrDefault() {
    if (threshold != null) {
      return threshold;
    }
    return method == Method.ks ? 0.01 : 0.1;
  }
}
