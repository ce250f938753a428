package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The latest retraining Job and what came of it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RetrainingStatus {

  @JsonPropertyDescription("Name of the latest retraining Job.")
  public String job;

  @JsonPropertyDescription(
      "What the latest Job came to: Running, Failed, Succeeded (its model is recorded) or"
          + " InvalidReport (it succeeded but its termination message is not a valid report).")
  public String phase;

  @JsonPropertyDescription(
      "Attempt of the Job for the current drift: 1 for the Job a trigger starts, one more for each"
          + " retry of a failed Job.")
  public Integer attempt;

  @JsonPropertyDescription("When the latest Job was created, RFC 3339.")
  public String triggeredAt;

  @JsonPropertyDescription("The revision that records the model the latest Job reported.")
  public Integer revision;

  @JsonPropertyDescription(
      "The earliest time the next Job may start, RFC 3339: the retry of a failed Job (exponential"
          + " backoff) or the end of spec.retraining.cooldown.")
  public String nextAttemptAt;
}
