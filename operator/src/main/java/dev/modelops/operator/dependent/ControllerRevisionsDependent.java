package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionTemplate;
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
import java.util.Set;

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

  /**
   * This ModelDeployment's ControllerRevisions, but for one whose data was replaced by hand and is
   * not the spec's: it is left as it is (and reported), not deleted as a revision no longer kept.
   */
  @Override
  public Map<String, ControllerRevision> getSecondaryResources(
      ModelDeployment mdep, Context<ModelDeployment> context) {
    Set<String> desired = desiredResources(mdep, context).keySet();
    return Labels.byName(
        mdep,
        context
            .getSecondaryResourcesAsStream(ControllerRevision.class)
            .filter(
                cr ->
                    desired.contains(cr.getMetadata().getName())
                        || RevisionTemplate.readable(Serialization.asJson(cr.getData()))));
  }

  /**
   * A ControllerRevision's data cannot be changed: one whose data is not what it must be (made
   * again by hand) is deleted and created anew.
   */
  @Override
  public ControllerRevision update(
      ControllerRevision actual,
      ControllerRevision desired,
      ModelDeployment mdep,
      Context<ModelDeployment> context) {
    if (!sameData(actual, desired)) {
      context.getClient().resource(actual).delete();
      return create(desired, mdep, context);
    }
    return super.update(actual, desired, mdep, context);
  }

  private static boolean sameData(ControllerRevision a, ControllerRevision b) {
    var json = Serialization.jsonMapper();
    return json.valueToTree(a.getData()).equals(json.valueToTree(b.getData()));
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
