package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.config.OperatorConfig;
import dev.modelops.operator.rollout.RolloutPlan;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One Service per revision that takes traffic, {@code <name>-r<N>}, selecting only that revision's
 * pods: the backends the HTTPRoute weighs. A revision that takes no traffic has none, so nothing is
 * left after a promotion, a rollback or a superseded canary.
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Labels.MANAGED_BY + "=" + Labels.OPERATOR + "," + Labels.REVISION))
public class RevisionServicesDependent
    extends CRUDKubernetesDependentResource<Service, ModelDeployment>
    implements BulkDependentResource<Service, ModelDeployment, String> {

  @Inject OperatorConfig config;

  public RevisionServicesDependent() {
    super(Service.class);
  }

  @Override
  public Map<String, Service> desiredResources(
      ModelDeployment mdep, Context<ModelDeployment> context) {
    Map<String, Service> desired = new LinkedHashMap<>();
    if (!RoutedByGateway.wanted(mdep)) {
      return desired;
    }
    RolloutPlan.of(context).traffic().keySet().stream()
        .sorted()
        .forEach(n -> desired.put(name(mdep, n), service(mdep, n)));
    return desired;
  }

  @Override
  public Map<String, Service> getSecondaryResources(
      ModelDeployment mdep, Context<ModelDeployment> context) {
    return Labels.byName(
        mdep,
        context
            .getSecondaryResourcesAsStream(Service.class)
            .filter(s -> s.getMetadata().getLabels().containsKey(Labels.REVISION)));
  }

  @Override
  public void deleteTargetResource(
      ModelDeployment mdep, Service resource, String name, Context<ModelDeployment> context) {
    context.getClient().resource(resource).delete();
  }

  /** The Service of one revision: named like its Deployment. */
  public static String name(ModelDeployment mdep, int revision) {
    return Labels.deploymentName(mdep, revision);
  }

  private Service service(ModelDeployment mdep, int revision) {
    return ServiceDependent.service(
        mdep,
        name(mdep, revision),
        Labels.revision(mdep, revision),
        Labels.oneRevision(mdep, revision),
        config.runtimePort());
  }
}
