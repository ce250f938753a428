package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/** Removes the modelops.dev/ request annotations the operator acted on, so it acts once. */
final class ManualRequestAnnotations {

  private static final Logger LOG = Logger.getLogger(ManualRequestAnnotations.class);

  private ManualRequestAnnotations() {}

  /**
   * One JSON patch that tests each annotation still has the value acted on, then removes it: a
   * value a user set again in the meantime stays for the next reconcile.
   */
  static Optional<ModelDeployment> remove(
      ModelDeployment mdep, Set<String> handled, KubernetesClient client) {
    Map<String, String> annotations = mdep.getMetadata().getAnnotations();
    if (handled.isEmpty() || annotations == null) {
      return Optional.empty();
    }
    JsonArray patch = new JsonArray();
    for (String key : handled) {
      if (!annotations.containsKey(key)) {
        continue;
      }
      String path = "/metadata/annotations/" + key.replace("~", "~0").replace("/", "~1");
      patch.add(
          new JsonObject().put("op", "test").put("path", path).put("value", annotations.get(key)));
      patch.add(new JsonObject().put("op", "remove").put("path", path));
    }
    if (patch.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          client
              .resources(ModelDeployment.class)
              .inNamespace(mdep.getMetadata().getNamespace())
              .withName(mdep.getMetadata().getName())
              .patch(PatchContext.of(PatchType.JSON), patch.encode()));
    } catch (KubernetesClientException e) {
      LOG.infof(
          "%s/%s: request annotations %s not removed (%s); the next reconcile looks again",
          mdep.getMetadata().getNamespace(), mdep.getMetadata().getName(), handled, e.getMessage());
      return Optional.empty();
    }
  }
}
