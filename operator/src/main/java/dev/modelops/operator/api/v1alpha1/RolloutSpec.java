package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** How a new revision replaces the serving one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.strategy != 'Canary' || (has(self.steps) && size(self.steps) > 0)",
    message = "spec.rollout.steps needs at least one step when spec.rollout.strategy is Canary",
    fieldPath = ".steps",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "self.strategy == 'Canary' || !has(self.steps) || size(self.steps) == 0",
    message = "spec.rollout.steps is only used with spec.rollout.strategy Canary",
    fieldPath = ".steps",
    reason = "FieldValueForbidden")
@ValidationRule(
    value =
        "!has(self.steps) || self.steps.map(s, s.weight).isSorted() "
            + "&& self.steps.all(a, self.steps.exists_one(b, b.weight == a.weight))",
    message = "spec.rollout.steps weights must be strictly increasing",
    fieldPath = ".steps",
    reason = "FieldValueInvalid")
public class RolloutSpec {

  public enum Strategy {
    Canary,
    Immediate
  }

  @Default("Immediate")
  @JsonPropertyDescription(
      "Immediate replaces the serving revision as soon as the new one is available; Canary moves "
          + "traffic in steps and checks each one.")
  public Strategy strategy = Strategy.Immediate;

  @Size(max = 20)
  @JsonPropertyDescription(
      "Canary steps: traffic weights in percent, strictly increasing, each held for a duration.")
  public List<CanaryStep> steps;

  @JsonPropertyDescription("The checks run on the canary during each step.")
  public AnalysisSpec analysis;

  @JsonPropertyDescription("How traffic is split between stable and canary pods.")
  public TrafficSpec traffic;

  @Min(1)
  @Max(100)
  @Default("10")
  @JsonPropertyDescription("Revisions kept for rollback, the serving ones included.")
  public Integer revisionHistoryLimit = 10;

  @JsonPropertyDescription("Holds a canary at its current step until set back to false.")
  public Boolean paused;

  @Min(1)
  @JsonPropertyDescription(
      "Pods the new revision may have beyond spec.runtime.replicas while it comes up (Immediate"
          + " strategy). Unset: a full second set, so capacity never drops. 1 hands over pod by"
          + " pod, for clusters without room (GPUs) for two full revisions.")
  public Integer maxSurge;

  @Pattern(ApiPatterns.DURATION)
  @Default("10m")
  @JsonPropertyDescription(
      "How long a rollout may go without a new ready pod or step before it is ended with reason"
          + " ProgressDeadlineExceeded, for example 10m.")
  public String progressDeadline = "10m";
}
