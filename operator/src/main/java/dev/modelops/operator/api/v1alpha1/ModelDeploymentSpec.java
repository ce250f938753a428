package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** What the user asks for: which model, on what pods, rolled out how, watched for drift how. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelDeploymentSpec {

  @Required
  @JsonPropertyDescription("The model to serve: where its ONNX file is, its checksum and version.")
  public ModelSource model;

  @JsonPropertyDescription("The inference pods: image, replicas, resources, GPUs and placement.")
  public RuntimeSpec runtime = new RuntimeSpec();

  @JsonPropertyDescription("How a new model version replaces the running one.")
  public RolloutSpec rollout = new RolloutSpec();

  @JsonPropertyDescription(
      "Drift detection on the live inputs against the baseline statistics of spec.model.baseline:"
          + " every evaluationInterval the operator adds up the stable pods' windows, scores them"
          + " and sets the DriftDetected condition and status.drift.")
  public DriftSpec drift;

  @JsonPropertyDescription(
      "The Job that retrains the model when its inputs drift: started when DriftDetected is"
          + " True (one at a time, at most once per cooldown, a failed one retried with backoff);"
          + " the model it reports becomes a revision with source Retraining and the Retraining"
          + " condition and status.retraining say how it went.")
  public RetrainingSpec retraining;
}
