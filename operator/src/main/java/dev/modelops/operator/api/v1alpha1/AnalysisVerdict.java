package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One check of a canary over one analysis interval, with the stable revision beside it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisVerdict {

  @JsonPropertyDescription("End of the interval, RFC 3339.")
  public String time;

  @JsonPropertyDescription("The step the canary was at.")
  public Integer step;

  @JsonPropertyDescription(
      "Pass, Fail or Inconclusive (fewer requests than minRequests: never a pass, never a fail).")
  public String verdict;

  @JsonPropertyDescription("Why, with the thresholds.")
  public String message;

  @JsonPropertyDescription("The canary's requests in the interval.")
  public Long requests;

  @JsonPropertyDescription("The canary's server errors over its requests, as a decimal string.")
  public String errorRate;

  @JsonPropertyDescription("The canary's 99th-percentile latency, for example 12ms.")
  public String latencyP99;

  @JsonPropertyDescription("The stable revision's requests in the same interval.")
  public Long stableRequests;

  @JsonPropertyDescription("The stable revision's error rate in the same interval.")
  public String stableErrorRate;

  @JsonPropertyDescription("The stable revision's 99th-percentile latency in the same interval.")
  public String stableLatencyP99;

  @JsonPropertyDescription(
      "Jensen-Shannon distance between the canary's and the stable revision's predictions in the"
          + " interval, when maxOutputDivergence is set and both counted enough of them.")
  public String outputDivergence;
}
