package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.reconciler.ObservedState;
import dev.modelops.operator.rollout.RolloutPlan;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.BulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The revision history, one ControllerRevision per kept revision (as StatefulSets keep theirs): it
 * outlives a lost status and a restarted operator, and numbers never repeat.
 */
@KubernetesDependent(
    informer = @Informer(labelSelector = Labels.MANAGED_BY + "=" + Labels.OPERATOR))
public class ControllerRevisionsDependent
    extends CRUDKubernetesDependentResource<ControllerRevision, ModelDeployment>
    implements BulkDependentResource<ControllerRevision, ModelDeployment, String> {

  public ControllerRevisionsDependent() {
    super(ControllerRevision.class);
  }

  @Override
  public Map<String, ControllerRevision> desiredResources(
      ModelDeployment mdep, Context<ModelDeployment> context) {
    Map<String, ControllerRevision> desired = new LinkedHashMap<>();
    for (Revision revision : RolloutPlan.of(context).kept()) {
      ControllerRevision cr = controllerRevision(mdep, revision);
      desired.put(cr.getMetadata().getName(), cr);
    }
    return desired;
  }

  @Override
  public void deleteTargetResource(
      ModelDeployment mdep,
      ControllerRevision resource,
      String name,
      Context<ModelDeployment> context) {
    context.getClient().resource(resource).delete();
  }

  @Override
  public Map<String, ControllerRevision> getSecondaryResources(
      ModelDeployment mdep, Context<ModelDeployment> context) {
    return Labels.byName(mdep, context.getSecondaryResourcesAsStream(ControllerRevision.class));
  }

  /** Why the revision is not rolled out again: kept here, so it outlives a lost status. */
  private static Map<String, String> outcomeAnnotations(Revision revision) {
    Map<String, String> annotations = new LinkedHashMap<>();
    revision
        .outcome()
        .ifPresent(
            o -> {
              annotations.put(ObservedState.OUTCOME_ANNOTATION, o.kind());
              annotations.put(ObservedState.OUTCOME_REASON_ANNOTATION, o.reason());
              annotations.put(ObservedState.OUTCOME_MESSAGE_ANNOTATION, o.message());
            });
    revision
        .baseline()
        .ifPresent(
            b -> annotations.put(ObservedState.BASELINE_ANNOTATION, Serialization.asJson(b)));
    return annotations;
  }

  static ControllerRevision controllerRevision(ModelDeployment mdep, Revision revision) {
    Map<String, String> labels = Labels.revision(mdep, revision.number());
    labels.put(Labels.TEMPLATE_HASH, revision.hash());
    return new ControllerRevisionBuilder()
        .withNewMetadata()
        .withName(mdep.getMetadata().getName() + "-" + revision.hash())
        .withNamespace(mdep.getMetadata().getNamespace())
        .withLabels(labels)
        .addToAnnotations(ObservedState.SOURCE_ANNOTATION, revision.source())
        .addToAnnotations(outcomeAnnotations(revision))
        .endMetadata()
        .withRevision((long) revision.number())
        .withData(Serialization.unmarshal(revision.template().toJson(), Map.class))
        .build();
  }
}
