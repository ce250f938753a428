package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and did; written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelDeploymentStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Available, Progressing, Degraded, DriftDetected and Retraining, in the metav1.Condition shape.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The revision that serves all traffic outside a canary.")
  public Integer stableRevision;

  @JsonPropertyDescription(
      "The rollout in progress, if any: the revision coming up, its step, weight and verdicts.")
  public CanaryStatus canary;

  @JsonPropertyDescription(
      "The last modelops.dev/promote, rollback-to or rollback-immediate annotation acted on.")
  public ManualAction lastAction;

  @JsonPropertyDescription(
      "The revisions kept for rollback, oldest first; a summary of the ControllerRevision objects.")
  public List<RevisionSummary> revisions = new ArrayList<>();

  @JsonPropertyDescription("The latest drift evaluation.")
  public DriftStatus drift;

  @JsonPropertyDescription("The latest retraining Job.")
  public RetrainingStatus retraining;

  @StatusReplicas
  @JsonPropertyDescription("Inference pods of the stable revision.")
  public Integer replicas;

  @JsonPropertyDescription("Of those, the pods that are ready to serve.")
  public Integer readyReplicas;

  @JsonPropertyDescription("Label selector of the pods, for the scale subresource.")
  public String selector;

  @JsonPropertyDescription("URL of the model's V2 endpoint inside the cluster.")
  public String endpoint;

  @JsonPropertyDescription(
      "GPU ModelDeployments: the serving revision's ready pods by the execution provider each"
          + " runtime reports (cuda, or cpu when spec.runtime.gpu.allowCpuFallback let it fall"
          + " back), for example {cuda: 2}.")
  public java.util.Map<String, Integer> executionProviders;

  @JsonPropertyDescription(
      "The name the model is served under on /v2/models/{name}: spec.model.name, or the"
          + " ModelDeployment's own name.")
  public String modelName;
}
