package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.GatewayApiTraffic;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.config.OperatorConfig;
import dev.modelops.operator.rollout.RolloutPlan;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;

/**
 * The HTTPRoute {@code <name>} that splits requests between the stable revision and a canary by the
 * plan's weights, exactly per request (traffic mode gatewayAPI), attached to the user's Gateway.
 */
@KubernetesDependent(
    informer = @Informer(labelSelector = Labels.MANAGED_BY + "=" + Labels.OPERATOR))
public class HttpRouteDependent
    extends CRUDKubernetesDependentResource<HTTPRoute, ModelDeployment> {

  @Inject OperatorConfig config;

  public HttpRouteDependent() {
    super(HTTPRoute.class);
  }

  @Override
  protected HTTPRoute desired(ModelDeployment mdep, Context<ModelDeployment> context) {
    GatewayApiTraffic gateway = mdep.getSpec().rollout.traffic.gatewayAPI;
    Map<Integer, Integer> traffic = RolloutPlan.of(context).traffic();
    List<HTTPBackendRef> backends =
        traffic.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(
                e ->
                    new HTTPBackendRefBuilder()
                        .withName(RevisionServicesDependent.name(mdep, e.getKey()))
                        .withPort(config.runtimePort())
                        .withWeight(e.getValue())
                        .build())
            .toList();
    return new HTTPRouteBuilder()
        .withNewMetadata()
        .withName(mdep.getMetadata().getName())
        .withNamespace(mdep.getMetadata().getNamespace())
        .withLabels(Labels.common(mdep))
        .endMetadata()
        .withNewSpec()
        .addNewParentRef()
        .withName(gateway.gateway)
        .withNamespace(gateway.gatewayNamespace)
        .endParentRef()
        .withHostnames(gateway.hostnames)
        .addNewRule()
        .withBackendRefs(backends)
        .endRule()
        .endSpec()
        .build();
  }
}
