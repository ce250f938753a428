package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * Pods, in namespaces, that may reach the runtime pods: one peer of the NetworkPolicy. The API
 * server checks the selectors when the operator makes the policy (a CEL rule over every expression
 * of every selector costs more than a CRD may); a bad one is reported as Degraded/ReconcileError
 * with its words.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AllowedPods {

  @Required
  @JsonPropertyDescription(
      "The namespaces, by their labels; {} is every namespace. A namespace's name is its"
          + " kubernetes.io/metadata.name label.")
  public LabelSelector namespaceSelector;

  @Required
  @JsonPropertyDescription("The pods in those namespaces, by their labels; {} is every pod.")
  public LabelSelector podSelector;
}
