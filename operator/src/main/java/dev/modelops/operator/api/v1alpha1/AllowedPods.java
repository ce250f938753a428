package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** Pods, in namespaces, that may reach the runtime pods: one peer of the NetworkPolicy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.namespaceSelector.matchExpressions) || self.namespaceSelector.matchExpressions.all(e,"
            + " e.operator in ['In', 'NotIn'] ? has(e.values) && size(e.values) > 0"
            + " : e.operator in ['Exists', 'DoesNotExist'] && (!has(e.values) || size(e.values) == 0))",
    message =
        "spec.runtime.networkPolicy.allowedPods[].namespaceSelector: a matchExpressions operator is In or"
            + " NotIn with values, or Exists or DoesNotExist without",
    fieldPath = ".namespaceSelector",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "!has(self.podSelector.matchExpressions) || self.podSelector.matchExpressions.all(e,"
            + " e.operator in ['In', 'NotIn'] ? has(e.values) && size(e.values) > 0"
            + " : e.operator in ['Exists', 'DoesNotExist'] && (!has(e.values) || size(e.values) == 0))",
    message =
        "spec.runtime.networkPolicy.allowedPods[].podSelector: a matchExpressions operator is In or"
            + " NotIn with values, or Exists or DoesNotExist without",
    fieldPath = ".podSelector",
    reason = "FieldValueInvalid")
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
