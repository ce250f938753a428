package dev.modelops.e2e.api;

import dev.modelops.e2e.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** ModelDeployments as the tests see them: untyped, exactly as a user would write them. */
public final class ModelDeployments {

  public static final String CRD_FILE = "crds/modeldeployments.modelops.dev-v1.yml";
  private final KubernetesClient client;

  public ModelDeployments(KubernetesClient client) {
    this.client = client;
  }

  /** Installs the committed CRD and waits until the API server serves it. */
  public void installCrd() {
    CustomResourceDefinition crd;
    try (InputStream in = Files.newInputStream(SandboxCluster.repo().resolve(CRD_FILE))) {
      crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    client.resource(crd).serverSideApply();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd.getMetadata().getName())
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            x -> "Established".equals(x.getType()) && "True".equals(x.getStatus())),
            30,
            TimeUnit.SECONDS);
  }

  public MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      api() {
    return client.genericKubernetesResources(
        new ResourceDefinitionContext.Builder()
            .withGroup("modelops.dev")
            .withVersion("v1alpha1")
            .withPlural("modeldeployments")
            .withKind("ModelDeployment")
            .withNamespaced(true)
            .build());
  }

  public GenericKubernetesResource create(GenericKubernetesResource mdep) {
    return api().inNamespace(mdep.getMetadata().getNamespace()).resource(mdep).create();
  }

  /** The status the operator wrote, empty before it wrote any. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> status(GenericKubernetesResource mdep) {
    return (Map<String, Object>) mdep.getAdditionalProperties().getOrDefault("status", Map.of());
  }

  /** The canary in status, empty when none runs. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> canary(GenericKubernetesResource mdep) {
    return (Map<String, Object>) status(mdep).getOrDefault("canary", Map.of());
  }

  /** The condition of this type in status, empty when there is none. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> condition(GenericKubernetesResource mdep, String type) {
    List<Map<String, Object>> conditions =
        (List<Map<String, Object>>) status(mdep).getOrDefault("conditions", List.of());
    return conditions.stream().filter(c -> type.equals(c.get("type"))).findFirst().orElse(Map.of());
  }

  public static GenericKubernetesResource modelDeployment(String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("modelops.dev/v1alpha1")
        .withKind("ModelDeployment")
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  /**
   * A ModelDeployment of the test model m.onnx at a version, with a number of replicas, rolled out
   * as a canary of the steps given ({weight, duration} each).
   */
  public static GenericKubernetesResource canaryRollout(
      String name, String version, int replicas, List<Map<String, Object>> steps) {
    return modelDeployment(
        name,
        Map.of(
            "model",
            Map.of("uri", "file:///models/m.onnx", "version", version),
            "runtime",
            Map.of("replicas", replicas),
            "rollout",
            Map.of("strategy", "Canary", "steps", steps)));
  }
}
