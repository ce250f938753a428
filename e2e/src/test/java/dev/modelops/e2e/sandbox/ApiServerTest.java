package dev.modelops.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The control-plane-only sandbox enforces CRD schemas, CEL rules, the status subresource and apply.
 */
class ApiServerTest {

  private static SandboxCluster cluster;
  private static KubernetesClient client;
  private static MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      widgets;

  @BeforeAll
  static void start() {
    cluster = SandboxCluster.startControlPlaneOnly("api");
    client = cluster.client();
    CustomResourceDefinition crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .load(ApiServerTest.class.getResourceAsStream("/widget-crd.yaml"))
            .item();
    client.resource(crd).create();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd.getMetadata().getName())
        .waitUntilCondition(
            c ->
                c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
            30,
            TimeUnit.SECONDS);
    widgets =
        client.genericKubernetesResources(
            new ResourceDefinitionContext.Builder()
                .withGroup("sandbox.modelops.dev")
                .withVersion("v1")
                .withPlural("widgets")
                .withKind("Widget")
                .withNamespaced(true)
                .build());
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static GenericKubernetesResource widget(String name, int min, int max) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("sandbox.modelops.dev/v1")
        .withKind("Widget")
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("minReplicas", min, "maxReplicas", max)))
        .build();
  }

  @Test
  void celRuleRejectsABadObjectWithItsMessage() {
    assertThatThrownBy(() -> widgets.resource(widget("backwards", 5, 2)).create())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
        .hasMessageContaining("spec.maxReplicas must be at least spec.minReplicas");
  }

  @Test
  void openApiSchemaRejectsANegativeCount() {
    assertThatThrownBy(() -> widgets.resource(widget("negative", -1, 2)).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.minReplicas")
        .hasMessageContaining("should be greater than or equal to 0");
  }

  @Test
  void statusIsWrittenOnlyThroughItsSubresource() {
    GenericKubernetesResource created = widgets.resource(widget("with-status", 1, 2)).create();
    created.setAdditionalProperty("status", Map.of("ready", 7));
    GenericKubernetesResource afterMainUpdate = widgets.resource(created).update();
    assertThat(afterMainUpdate.getAdditionalProperties()).doesNotContainKey("status");

    afterMainUpdate.setAdditionalProperty("status", Map.of("ready", 7));
    GenericKubernetesResource afterStatusUpdate = widgets.resource(afterMainUpdate).updateStatus();
    assertThat(afterStatusUpdate.getAdditionalProperties().get("status"))
        .isEqualTo(Map.of("ready", 7));
    assertThat(afterStatusUpdate.getMetadata().getGeneration())
        .as("a status write does not bump the generation")
        .isEqualTo(created.getMetadata().getGeneration());
  }

  @Test
  void serverSideApplyTracksOwnersAndReportsConflicts() {
    GenericKubernetesResource applied =
        widgets
            .resource(widget("applied", 1, 3))
            .patch(
                new PatchContext.Builder()
                    .withPatchType(PatchType.SERVER_SIDE_APPLY)
                    .withFieldManager("first")
                    .build());
    assertThat(applied.getMetadata().getManagedFields())
        .anySatisfy(f -> assertThat(f.getManager()).isEqualTo("first"));

    assertThatThrownBy(
            () ->
                widgets
                    .resource(widget("applied", 1, 4))
                    .patch(
                        new PatchContext.Builder()
                            .withPatchType(PatchType.SERVER_SIDE_APPLY)
                            .withFieldManager("second")
                            .build()))
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409))
        .hasMessageContaining("conflict");
  }
}
