package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The latest retraining Job. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RetrainingStatus {

  @JsonPropertyDescription("Name of the Job.")
  public String job;

  @JsonPropertyDescription("Running, Succeeded or Failed.")
  public String phase;

  @JsonPropertyDescription("When the Job was started, RFC 3339.")
  public String triggeredAt;
}
