package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.List;
import java.util.Map;

/** The inference pods: image, count, resources, GPUs and placement. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.gpu) || !has(self.resources) || !has(self.resources.limits) "
            + "|| !(self.gpu.resourceName in self.resources.limits)",
    message = "set GPUs in spec.runtime.gpu.count or in spec.runtime.resources.limits, not both",
    fieldPath = ".gpu",
    reason = "FieldValueForbidden")
@ValidationRule(
    value =
        "!has(self.resources) || !has(self.resources.limits) || !has(self.resources.requests)"
            + " || ['cpu', 'memory'].all(r, !(r in self.resources.limits)"
            + " || !(r in self.resources.requests)"
            + " || !quantity(string(self.resources.limits[r]))"
            + ".isLessThan(quantity(string(self.resources.requests[r]))))",
    message =
        "spec.runtime.resources: a cpu or memory limit is below its request; raise the limit or"
            + " lower the request",
    fieldPath = ".resources",
    reason = "FieldValueInvalid")
public class RuntimeSpec {

  @JsonPropertyDescription(
      "Container image of the inference runtime. Defaults to the image the operator is configured with.")
  public String image;

  @SpecReplicas
  @Min(0)
  @Default("1")
  @JsonPropertyDescription("Number of inference pods of the stable revision. 0 stops serving.")
  public Integer replicas = 1;

  @JsonPropertyDescription(
      "CPU and memory requests and limits of the runtime container (core/v1 ResourceRequirements). "
          + "GPUs go in spec.runtime.gpu.")
  public ResourceRequirements resources;

  @JsonPropertyDescription("GPUs for each pod, and which GPU model to run on.")
  public GpuSpec gpu;

  @JsonPropertyDescription("Node labels the pods must match; merged with the GPU product selector.")
  public Map<String, String> nodeSelector;

  @JsonPropertyDescription(
      "Tolerations of the pods; the GPU taint's toleration is added when GPUs are requested.")
  public List<Toleration> tolerations;

  @JsonPropertyDescription(
      "Affinity rules of the pods (core/v1 Affinity), passed through unchanged.")
  public Affinity affinity;

  @JsonPropertyDescription(
      "RuntimeClass of the pods, for example nvidia on clusters that need one for GPUs.")
  public String runtimeClassName;

  @JsonPropertyDescription("Dynamic batching of concurrent requests in each pod.")
  public BatchingSpec batching;

  @JsonPropertyDescription(
      "Bearer-token authentication of the V2 endpoints, the token from a Secret. Unset: open.")
  public AuthSpec auth;

  @JsonPropertyDescription(
      "The NetworkPolicy of the runtime pods; made unless enabled is false. Unset: made, with"
          + " the defaults.")
  public NetworkPolicySpec networkPolicy;
}
