package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.config.OperatorConfig;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.rollout.RolloutPlan;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;

/** One Deployment of runtime pods for each revision that serves. */
@KubernetesDependent(
    informer = @Informer(labelSelector = Labels.MANAGED_BY + "=" + Labels.OPERATOR))
public class RevisionDeploymentsDependent
    extends CRUDKubernetesDependentResource<Deployment, ModelDeployment>
    implements BulkDependentResource<Deployment, ModelDeployment, String> {

  @Inject OperatorConfig config;

  public RevisionDeploymentsDependent() {
    super(Deployment.class);
  }

  @Override
  public Map<String, Deployment> desiredResources(
      ModelDeployment mdep, Context<ModelDeployment> context) {
    RolloutPlan plan = RolloutPlan.of(context);
    Map<String, Deployment> desired = new LinkedHashMap<>();
    plan.replicas().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              Revision revision = plan.revision(e.getKey()).orElseThrow();
              desired.put(
                  Labels.deploymentName(mdep, e.getKey()),
                  deployment(mdep, revision, e.getValue()));
            });
    return desired;
  }

  @Override
  public void deleteTargetResource(
      ModelDeployment mdep, Deployment resource, String name, Context<ModelDeployment> context) {
    context.getClient().resource(resource).delete();
  }

  @Override
  public Map<String, Deployment> getSecondaryResources(
      ModelDeployment mdep, Context<ModelDeployment> context) {
    return Labels.byName(mdep, context.getSecondaryResourcesAsStream(Deployment.class));
  }

  Deployment deployment(ModelDeployment mdep, Revision revision, int replicas) {
    Map<String, String> labels = Labels.revision(mdep, revision.number());
    labels.put(Labels.TEMPLATE_HASH, revision.hash());
    if (revision.template().model().version != null) {
      labels.put("app.kubernetes.io/version", revision.template().model().version);
    }
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(Labels.deploymentName(mdep, revision.number()))
        .withNamespace(mdep.getMetadata().getNamespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withRevisionHistoryLimit(2)
        .withNewSelector()
        .withMatchLabels(Labels.oneRevision(mdep, revision.number()))
        .endSelector()
        .withTemplate(RuntimePodTemplate.of(mdep, revision, config))
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withNewMaxUnavailable(0)
        .withNewMaxSurge(1)
        .endRollingUpdate()
        .endStrategy()
        .endSpec()
        .build();
  }
}
