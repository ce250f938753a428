package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import jakarta.inject.Inject;

/**
 * The stable endpoint: selects the ready pods of every serving revision, so traffic follows
 * readiness and, during a canary, the ratio of pods.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Labels.MANAGED_BY + "=" + Labels.OPERATOR + ",!" + Labels.REVISION))
public class ServiceDependent extends CRUDKubernetesDependentResource<Service, ModelDeployment> {

  @Inject OperatorConfig config;

  public ServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(ModelDeployment mdep, Context<ModelDeployment> context) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(mdep.getMetadata().getName())
        .withNamespace(mdep.getMetadata().getNamespace())
        .withLabels(Labels.common(mdep))
        .endMetadata()
        .withNewSpec()
        .withSelector(Labels.allRevisions(mdep))
        .addNewPort()
        .withName("http")
        .withPort(config.runtimePort())
        .withNewTargetPort("http")
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }

  public static String endpoint(ModelDeployment mdep, int port, String modelName) {
    return "http://%s.%s.svc:%d/v2/models/%s"
        .formatted(
            mdep.getMetadata().getName(), mdep.getMetadata().getNamespace(), port, modelName);
  }
}
