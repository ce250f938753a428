package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** How requests are split between the stable and the canary revision. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.mode != 'gatewayAPI' || has(self.gatewayAPI)",
    message =
        "spec.rollout.traffic.gatewayAPI is required when spec.rollout.traffic.mode is gatewayAPI",
    fieldPath = ".gatewayAPI",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "self.mode == 'gatewayAPI' || !has(self.gatewayAPI)",
    message =
        "spec.rollout.traffic.gatewayAPI is only used when spec.rollout.traffic.mode is gatewayAPI",
    fieldPath = ".gatewayAPI",
    reason = "FieldValueForbidden")
public class TrafficSpec {

  public enum Mode {
    replicas,
    gatewayAPI
  }

  @Default("replicas")
  @JsonPropertyDescription(
      "replicas: the Service spreads requests over stable and canary pods in proportion to their "
          + "counts; works on every cluster. gatewayAPI: an HTTPRoute with weighted backends.")
  public Mode mode = Mode.replicas;

  @JsonPropertyDescription(
      "The HTTPRoute to manage when mode is gatewayAPI: <name>, with one backend Service"
          + " <name>-r<N> per revision that takes traffic, weighted exactly by the canary's step.")
  public GatewayApiTraffic gatewayAPI;
}
