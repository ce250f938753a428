package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The latest drift evaluation: the sum of the stable revision's pods' windows, scored. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DriftStatus {

  @JsonPropertyDescription(
      "The overall score of spec.drift.method over the features whose pooled window is full: the"
          + " largest feature score, or for ks the smallest p-value times the number of features.")
  public Double score;

  @JsonPropertyDescription("The method of the score: psi, ks, jensenShannon or wasserstein.")
  public String method;

  @JsonPropertyDescription(
      "The threshold the score was held against (the method's default if unset).")
  public Double threshold;

  @JsonPropertyDescription(
      "The features with the most drift, worst first (at most 3), with their scores.")
  public List<FeatureScore> worstFeatures = new ArrayList<>();

  @JsonPropertyDescription("Input rows in the pooled window: the sum over the pods read.")
  public Long samples;

  @JsonPropertyDescription("Pods whose windows were added up.")
  public Integer pods;

  @JsonPropertyDescription("The revision whose pods were read: the stable one.")
  public Integer revision;

  @JsonPropertyDescription(
      "When this evaluation was recorded, RFC 3339. Evaluations that change nothing material are"
          + " not written; this moves at least every 10 minutes while drift is evaluated.")
  public String evaluatedAt;

  @JsonPropertyDescription(
      "While DriftDetected is True: evaluations in a row under the clearing bound; it clears at 2.")
  public Integer clearingEvaluations;

  /** One feature's score. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class FeatureScore {

    @JsonPropertyDescription("The feature's name in the baseline.")
    public String name;

    @JsonPropertyDescription("Its score by spec.drift.method (for ks its p-value).")
    public Double score;

    public FeatureScore() {}

    public FeatureScore(String name, double score) {
      this.name = name;
      this.score = score;
    }
  }
}
