package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A canary in progress. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryStatus {

  @JsonPropertyDescription("The revision being tried.")
  public Integer revision;

  @JsonPropertyDescription("Percent of traffic it receives now.")
  public Integer weight;

  @JsonPropertyDescription("Index of the current step in spec.rollout.steps.")
  public Integer step;

  @JsonPropertyDescription("When the current step started, RFC 3339.")
  public String stepStartedAt;

  @JsonPropertyDescription("The last verdict of the analysis and why.")
  public String analysis;
}
