package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * The NetworkPolicy's reconcile precondition: unless spec.runtime.networkPolicy.enabled is false.
 * When it is, JOSDK deletes the policy the operator made.
 */
public class NetworkPolicyWanted implements Condition<NetworkPolicy, ModelDeployment> {

  @Override
  public boolean isMet(
      DependentResource<NetworkPolicy, ModelDeployment> dependentResource,
      ModelDeployment primary,
      Context<ModelDeployment> context) {
    return NetworkPolicyDependent.wanted(primary);
  }
}
