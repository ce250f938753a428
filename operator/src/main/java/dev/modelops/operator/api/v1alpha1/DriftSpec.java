package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** How the live inputs are compared with the training data. */
@JsonInclude(JsonInclude.Include.NON_NULL)
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
  @Default("0.2")
  @JsonPropertyDescription("Score above which a feature has drifted.")
  public Double threshold = 0.2;

  @Min(100)
  @Default("5000")
  @JsonPropertyDescription("Samples in each evaluation window.")
  public Integer window = 5000;

  @Pattern(ApiPatterns.DURATION)
  @Default("1m")
  @JsonPropertyDescription("Time between two evaluations, for example 1m.")
  public String evaluationInterval = "1m";
}
