package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * The rollout in progress: the revision coming up beside the stable one and, for a canary, its step
 * and the analysis verdicts. Everything a restarted operator needs to go on is here.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryStatus {

  @JsonPropertyDescription("The revision being rolled out.")
  public Integer revision;

  @JsonPropertyDescription(
      "Canary or Immediate: the strategy of this rollout (Immediate for"
          + " modelops.dev/rollback-immediate).")
  public String strategy;

  @JsonPropertyDescription("When this rollout started, RFC 3339.")
  public String startedAt;

  @JsonPropertyDescription(
      "Stepping, Paused or Promoting (the canary is brought to full size before it becomes"
          + " stable).")
  public String phase;

  @JsonPropertyDescription("Index of the current step in spec.rollout.steps.")
  public Integer step;

  @JsonPropertyDescription("Percent of traffic the current step asks for.")
  public Integer weight;

  @JsonPropertyDescription(
      "Canary pods for this step beside the stable ones: the weight realised by pod counts.")
  public Integer replicas;

  @JsonPropertyDescription(
      "Ready pods of the revision when it last made progress (for the progress deadline).")
  public Integer readyReplicas;

  @JsonPropertyDescription("When the revision last gained a ready pod or a step, RFC 3339.")
  public String lastProgressAt;

  @JsonPropertyDescription(
      "When the current step started: when its canary pods were ready. Unset while they come up.")
  public String stepStartedAt;

  @JsonPropertyDescription("End of the last analysis interval, RFC 3339.")
  public String lastAnalysisAt;

  @JsonPropertyDescription("Consecutive failed checks of the canary.")
  public Integer failures;

  @JsonPropertyDescription("The last verdict of the analysis and why.")
  public String analysis;

  @JsonPropertyDescription("The last verdicts, newest last, with the numbers they were made on.")
  public List<AnalysisVerdict> verdicts = new ArrayList<>();
}
