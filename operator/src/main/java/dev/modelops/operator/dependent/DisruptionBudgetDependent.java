package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.Objects;

/**
 * Node drains take at most one inference pod of a ModelDeployment at a time. Compared by the fields
 * it sets: the generic server-side-apply matcher saw a difference in every unchanged PDB and
 * rewrote it on each reconcile (caught by IdleResyncTest).
 */
@KubernetesDependent(
    informer = @Informer(labelSelector = Labels.MANAGED_BY + "=" + Labels.OPERATOR))
public class DisruptionBudgetDependent
    extends CRUDKubernetesDependentResource<PodDisruptionBudget, ModelDeployment> {

  public DisruptionBudgetDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget desired(ModelDeployment mdep, Context<ModelDeployment> context) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName(mdep.getMetadata().getName())
        .withNamespace(mdep.getMetadata().getNamespace())
        .withLabels(Labels.common(mdep))
        .endMetadata()
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(Labels.allRevisions(mdep))
        .endSelector()
        .endSpec()
        .build();
  }

  @Override
  public Matcher.Result<PodDisruptionBudget> match(
      PodDisruptionBudget actual,
      PodDisruptionBudget desired,
      ModelDeployment mdep,
      Context<ModelDeployment> context) {
    var labels = actual.getMetadata().getLabels();
    boolean same =
        actual.getSpec() != null
            && Objects.equals(
                actual.getSpec().getMaxUnavailable(), desired.getSpec().getMaxUnavailable())
            && Objects.equals(actual.getSpec().getSelector(), desired.getSpec().getSelector())
            && labels != null
            && labels.entrySet().containsAll(desired.getMetadata().getLabels().entrySet());
    return Matcher.Result.computed(same, desired);
  }
}
