package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One step of a canary: a share of traffic held for a while. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryStep {

  @Required
  @Min(1)
  @Max(99)
  @JsonPropertyDescription("Percent of traffic sent to the canary during this step, 1 to 99.")
  public Integer weight;

  @Required
  @Pattern(ApiPatterns.DURATION)
  @JsonPropertyDescription("How long the step lasts when its checks pass, for example 2m.")
  public String duration;
}
