package dev.modelops.operator.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.AllowedPods;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.NetworkPolicySpec;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who the runtime pods' NetworkPolicy lets reach their port. */
class NetworkPolicyDependentTest {

  static NetworkPolicyPeer namespace(String name) {
    return new NetworkPolicyPeerBuilder()
        .withNamespaceSelector(
            new LabelSelectorBuilder()
                .withMatchLabels(Map.of("kubernetes.io/metadata.name", name))
                .build())
        .build();
  }

  static final NetworkPolicyPeer SAME_NAMESPACE =
      new NetworkPolicyPeerBuilder().withPodSelector(new LabelSelector()).build();

  @Test
  void byDefaultTheOwnNamespaceAndTheOperatorsReachThePort() {
    ModelDeployment mdep = RuntimePodTemplateTest.mdep(null);
    NetworkPolicy policy =
        NetworkPolicyDependent.desired(mdep, 8080, Optional.of("modelops-system"));
    assertThat(policy.getMetadata().getName()).isEqualTo("m");
    assertThat(policy.getMetadata().getNamespace()).isEqualTo("ns");
    assertThat(policy.getMetadata().getLabels()).containsEntry("modelops.dev/deployment", "m");
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(Map.of("modelops.dev/deployment", "m"));
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
    var ingress = policy.getSpec().getIngress();
    assertThat(ingress).hasSize(1);
    assertThat(ingress.get(0).getFrom())
        .containsExactly(SAME_NAMESPACE, namespace("modelops-system"));
    assertThat(ingress.get(0).getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort()).isEqualTo(new IntOrString(8080));
              assertThat(p.getProtocol()).isEqualTo("TCP");
            });
    // An operator run outside the cluster, or in the ModelDeployment's own namespace: no peer.
    assertThat(NetworkPolicyDependent.desired(mdep, 8080, Optional.empty()).getSpec().getIngress())
        .singleElement()
        .satisfies(i -> assertThat(i.getFrom()).containsExactly(SAME_NAMESPACE));
    assertThat(NetworkPolicyDependent.desired(mdep, 8080, Optional.of("ns")).getSpec().getIngress())
        .singleElement()
        .satisfies(i -> assertThat(i.getFrom()).containsExactly(SAME_NAMESPACE));
  }

  @Test
  void theSpecAddsNamespacesByNameAndPodsBySelectors() {
    ModelDeployment mdep = RuntimePodTemplateTest.mdep(null);
    mdep.getSpec().runtime = new RuntimeSpec();
    mdep.getSpec().runtime.networkPolicy = new NetworkPolicySpec();
    mdep.getSpec().runtime.networkPolicy.allowedNamespaces =
        List.of("monitoring", "ns", "modelops-system");
    AllowedPods gateway = new AllowedPods();
    gateway.namespaceSelector = new LabelSelector();
    gateway.podSelector =
        new LabelSelectorBuilder().withMatchLabels(Map.of("app", "envoy-gateway")).build();
    mdep.getSpec().runtime.networkPolicy.allowedPods = List.of(gateway);
    NetworkPolicy policy =
        NetworkPolicyDependent.desired(mdep, 9000, Optional.of("modelops-system"));
    assertThat(policy.getSpec().getIngress().get(0).getFrom())
        .containsExactly(
            SAME_NAMESPACE,
            namespace("modelops-system"),
            namespace("monitoring"),
            new NetworkPolicyPeerBuilder()
                .withNamespaceSelector(new LabelSelector())
                .withPodSelector(gateway.podSelector)
                .build());
    assertThat(policy.getSpec().getIngress().get(0).getPorts().get(0).getPort())
        .isEqualTo(new IntOrString(9000));
  }

  @Test
  void wantedUnlessEnabledIsFalse() {
    ModelDeployment mdep = RuntimePodTemplateTest.mdep(null);
    assertThat(NetworkPolicyDependent.wanted(mdep)).isTrue();
    mdep.getSpec().runtime = new RuntimeSpec();
    assertThat(NetworkPolicyDependent.wanted(mdep)).isTrue();
    mdep.getSpec().runtime.networkPolicy = new NetworkPolicySpec();
    assertThat(NetworkPolicyDependent.wanted(mdep)).isTrue();
    mdep.getSpec().runtime.networkPolicy.enabled = false;
    assertThat(NetworkPolicyDependent.wanted(mdep)).isFalse();
  }

  @Test
  void thePolicyAsTheApiServerReturnsItMatchesTheDesiredOne() {
    ModelDeployment mdep = RuntimePodTemplateTest.mdep(null);
    NetworkPolicy desired =
        NetworkPolicyDependent.desired(mdep, 8080, Optional.of("modelops-system"));
    NetworkPolicy stored = Serialization.unmarshal(Serialization.asJson(desired));
    stored.getMetadata().getLabels().put("extra", "label");
    NetworkPolicyDependent dependent = new NetworkPolicyDependent();
    assertThat(dependent.match(stored, desired, mdep, null).matched()).isTrue();
    NetworkPolicy other = NetworkPolicyDependent.desired(mdep, 8080, Optional.empty());
    assertThat(dependent.match(stored, other, mdep, null).matched()).isFalse();
  }
}
