package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.AllowedPods;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.NetworkPolicySpec;
import dev.modelops.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The NetworkPolicy {@code <name>} of the runtime pods: their port is reached only from their own
 * namespace, the operator's, and what spec.runtime.networkPolicy adds. Compared by the fields it
 * sets, as the PodDisruptionBudget is, so that an unchanged policy is never written again.
 */
@KubernetesDependent(
    informer = @Informer(labelSelector = Labels.MANAGED_BY + "=" + Labels.OPERATOR))
public class NetworkPolicyDependent
    extends CRUDKubernetesDependentResource<NetworkPolicy, ModelDeployment> {

  /** The label every namespace carries with its own name (Kubernetes 1.22 and later). */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  @Inject OperatorConfig config;

  public NetworkPolicyDependent() {
    super(NetworkPolicy.class);
  }

  /** Whether the ModelDeployment wants its NetworkPolicy: unless enabled is false. */
  public static boolean wanted(ModelDeployment mdep) {
    var runtime = mdep.getSpec() == null ? null : mdep.getSpec().runtime;
    return runtime == null || runtime.networkPolicy == null || runtime.networkPolicy.wanted();
  }

  @Override
  protected NetworkPolicy desired(ModelDeployment mdep, Context<ModelDeployment> context) {
    return desired(mdep, config.runtimePort(), config.namespace());
  }

  static NetworkPolicy desired(ModelDeployment mdep, int port, Optional<String> operatorNamespace) {
    String namespace = mdep.getMetadata().getNamespace();
    NetworkPolicySpec spec =
        mdep.getSpec().runtime == null ? null : mdep.getSpec().runtime.networkPolicy;
    List<NetworkPolicyPeer> from = new ArrayList<>();
    // Every pod of the ModelDeployment's own namespace: its clients, retraining Jobs, Gateways
    // that run there.
    from.add(new NetworkPolicyPeerBuilder().withPodSelector(new LabelSelector()).build());
    Set<String> namespaces = new LinkedHashSet<>();
    operatorNamespace.filter(ns -> !ns.equals(namespace)).ifPresent(namespaces::add);
    if (spec != null && spec.allowedNamespaces != null) {
      spec.allowedNamespaces.stream().filter(ns -> !ns.equals(namespace)).forEach(namespaces::add);
    }
    for (String ns : namespaces) {
      from.add(
          new NetworkPolicyPeerBuilder()
              .withNamespaceSelector(
                  new LabelSelectorBuilder()
                      .withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, ns))
                      .build())
              .build());
    }
    if (spec != null && spec.allowedPods != null) {
      for (AllowedPods pods : spec.allowedPods) {
        from.add(
            new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(pods.namespaceSelector)
                .withPodSelector(pods.podSelector)
                .build());
      }
    }
    return new NetworkPolicyBuilder()
        .withNewMetadata()
        .withName(mdep.getMetadata().getName())
        .withNamespace(namespace)
        .withLabels(Labels.common(mdep))
        .endMetadata()
        .withNewSpec()
        .withNewPodSelector()
        .withMatchLabels(Labels.allRevisions(mdep))
        .endPodSelector()
        .withPolicyTypes("Ingress")
        .addNewIngress()
        .withFrom(from)
        .addNewPort()
        .withProtocol("TCP")
        .withPort(new IntOrString(port))
        .endPort()
        .endIngress()
        .endSpec()
        .build();
  }

  @Override
  public Matcher.Result<NetworkPolicy> match(
      NetworkPolicy actual,
      NetworkPolicy desired,
      ModelDeployment mdep,
      Context<ModelDeployment> context) {
    var labels = actual.getMetadata().getLabels();
    boolean same =
        Objects.equals(actual.getSpec(), desired.getSpec())
            && labels != null
            && labels.entrySet().containsAll(desired.getMetadata().getLabels().entrySet());
    return Matcher.Result.computed(same, desired);
  }
}
