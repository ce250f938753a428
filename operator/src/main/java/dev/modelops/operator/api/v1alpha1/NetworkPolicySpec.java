package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * The NetworkPolicy the operator makes for the runtime pods: who may reach their port. Enforced
 * only by a network plugin that implements NetworkPolicy.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {

  @Default("true")
  @JsonPropertyDescription(
      "Make a NetworkPolicy that lets only these reach the runtime pods' port: pods of the"
          + " ModelDeployment's own namespace, the operator's namespace (it reads the pods'"
          + " metrics and drift by pod IP), and what allowedNamespaces and allowedPods add."
          + " false: no NetworkPolicy (the operator deletes the one it made).")
  public Boolean enabled = true;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Namespaces, by name, whose pods may all reach the runtime pods: for example where a"
          + " Gateway's or an ingress controller's proxies, or Prometheus, run. Namespace names:"
          + " at most 63 lower-case letters, digits and '-'.")
  public List<@Size(max = 63) @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$") String> allowedNamespaces;

  @Size(max = 32)
  @JsonPropertyDescription(
      "Pods chosen by their labels in namespaces chosen by theirs, that may reach the runtime"
          + " pods.")
  public List<AllowedPods> allowedPods;

  public boolean wanted() {
    return enabled == null || enabled;
  }
}
