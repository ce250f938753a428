package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** The checks a canary must pass at every step. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.source) || self.source != 'prometheus' || has(self.prometheus)",
    message =
        "spec.rollout.analysis.prometheus.url is required when spec.rollout.analysis.source is prometheus",
    fieldPath = ".prometheus",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "!has(self.prometheus) || !has(self.source) || self.source == 'prometheus'",
    message =
        "spec.rollout.analysis.prometheus is only used when spec.rollout.analysis.source is prometheus",
    fieldPath = ".prometheus",
    reason = "FieldValueForbidden")
public class AnalysisSpec {

  public enum Source {
    pods,
    prometheus
  }

  @Pattern(ApiPatterns.DURATION)
  @Default("30s")
  @JsonPropertyDescription("Time between two checks of the canary, for example 30s.")
  public String interval = "30s";

  @Min(0)
  @Default("2")
  @JsonPropertyDescription(
      "Consecutive failed checks that roll the canary back (0 and 1: the first failed check).")
  public Integer failureLimit = 2;

  @Min(0)
  @Default("50")
  @JsonPropertyDescription(
      "Requests a check needs to judge; with fewer the check is inconclusive and the step is extended.")
  public Integer minRequests = 50;

  @Min(0)
  @Max(1)
  @Default("0.01")
  @JsonPropertyDescription("Highest error rate of the canary, a fraction from 0 to 1.")
  public Double maxErrorRate = 0.01;

  @Pattern(ApiPatterns.DURATION)
  @JsonPropertyDescription("Highest 99th-percentile latency of the canary, for example 250ms.")
  public String maxLatencyP99;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription(
      "Highest Jensen-Shannon distance (in bits, 0 to 1) of the canary's predictions (the"
          + " predicted classes of a classifier, or a score's tenths of [0, 1]) from a reference:"
          + " the labels of its training data when its drift baseline gives them as outputs (a"
          + " retrained model's trainer writes them), else the stable revision's predictions over"
          + " the same interval. Unset: not compared. It catches a model that answers very"
          + " differently from what it should (one class for everything, classes out of order, a"
          + " train/serve skew). Compared only with at least minRequests predictions.")
  public Double maxOutputDivergence;

  @JsonPropertyDescription(
      "Where metrics come from: pods (the operator reads each runtime pod's /q/metrics by pod IP) or prometheus. Unset:"
          + " prometheus when the prometheus block is given, else the operator's default"
          + " (Helm value operator.analysis.defaultSource, pods unless the cluster admin changed"
          + " it).")
  public Source source;

  @JsonPropertyDescription(
      "The Prometheus server to query when source is prometheus. It must scrape the runtime pods'"
          + " /q/metrics and label their series with namespace and pod, as a PodMonitor does.")
  public PrometheusSource prometheus;
}
