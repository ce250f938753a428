package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.TrafficSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;

/**
 * Whether a ModelDeployment splits traffic with a Gateway API HTTPRoute. As an activation
 * condition, it also keeps the operator from watching HTTPRoutes on clusters without their CRD
 * until a ModelDeployment asks for one.
 */
public class RoutedByGateway implements Condition<HasMetadata, ModelDeployment> {

  public static boolean wanted(ModelDeployment mdep) {
    var rollout = mdep.getSpec() == null ? null : mdep.getSpec().rollout;
    return rollout != null
        && rollout.traffic != null
        && rollout.traffic.mode == TrafficSpec.Mode.gatewayAPI
        && rollout.traffic.gatewayAPI != null;
  }

  @Override
  public boolean isMet(
      DependentResource<HasMetadata, ModelDeployment> dependentResource,
      ModelDeployment primary,
      Context<ModelDeployment> context) {
    return wanted(primary);
  }
}
