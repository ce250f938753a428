package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Dynamic batching: concurrent requests merged into one model run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BatchingSpec {

  @Min(1)
  @Max(4096)
  @JsonPropertyDescription("Largest batch, in rows. 1 turns batching off.")
  public Integer maxBatchSize;

  @Pattern(ApiPatterns.DURATION)
  @JsonPropertyDescription("Longest a request waits for others to join its batch, for example 2ms.")
  public String maxDelay;
}
