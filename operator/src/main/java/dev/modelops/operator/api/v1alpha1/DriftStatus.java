package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The latest drift evaluation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DriftStatus {

  @JsonPropertyDescription("The highest feature score of the last window.")
  public Double score;

  @JsonPropertyDescription("The feature with that score.")
  public String worstFeature;

  @JsonPropertyDescription("When the window was evaluated, RFC 3339.")
  public String evaluatedAt;
}
