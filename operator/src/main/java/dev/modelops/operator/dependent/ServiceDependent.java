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
import java.util.Map;

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
    return service(
        mdep,
        mdep.getMetadata().getName(),
        Labels.common(mdep),
        Labels.allRevisions(mdep),
        config.runtimePort());
  }

  /** A Service of the runtime's HTTP port over the pods the selector picks. */
  static Service service(
      ModelDeployment mdep,
      String name,
      Map<String, String> labels,
      Map<String, String> selector,
      int port) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(mdep.getMetadata().getNamespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withSelector(selector)
        .addNewPort()
        .withName("http")
        .withPort(port)
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
