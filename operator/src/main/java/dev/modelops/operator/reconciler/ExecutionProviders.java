package dev.modelops.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Which execution provider (cuda or cpu) each ready runtime pod of a GPU ModelDeployment runs on,
 * as the runtime says in its readiness check ({@code /q/health/ready}, read by pod IP, as canary
 * analysis reads metrics). A pod chooses once, when its model loads, so each pod is asked once and
 * its answer kept until the pod is gone; a pod that does not answer is asked again next time.
 */
@ApplicationScoped
public class ExecutionProviders {

  private static final Logger LOG = Logger.getLogger(ExecutionProviders.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

  @Inject OperatorConfig config;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(READ_TIMEOUT).build();

  /** The provider of each pod asked, by pod uid, per ModelDeployment uid. */
  private final Map<String, Map<String, String>> known = new ConcurrentHashMap<>();

  /**
   * The serving revision's ready pods by provider, for status: empty for a ModelDeployment without
   * GPUs (its pods run on the CPU, nothing to tell) or before any pod answered.
   */
  public Map<String, Integer> of(ObservedState state, int revision) {
    if (state.mdep().getSpec().runtime == null || state.mdep().getSpec().runtime.gpu == null) {
      return Map.of();
    }
    Map<String, String> before = known.getOrDefault(state.mdep().getMetadata().getUid(), Map.of());
    Map<String, String> now = new ConcurrentHashMap<>();
    Map<String, Integer> counts = new TreeMap<>();
    for (Pod pod : state.podsOf(revision)) {
      if (!RuntimePods.ready(pod)) {
        continue;
      }
      String uid = pod.getMetadata().getUid();
      Optional<String> provider = Optional.ofNullable(before.get(uid)).or(() -> ask(pod));
      provider.ifPresent(
          p -> {
            now.put(uid, p);
            counts.merge(p, 1, Integer::sum);
          });
    }
    known.put(state.mdep().getMetadata().getUid(), now);
    return counts;
  }

  /** Forgets the ModelDeployments that are gone. */
  public void retain(Set<String> uids) {
    known.keySet().retainAll(uids);
  }

  private Optional<String> ask(Pod pod) {
    Optional<URI> address = RuntimePods.uri(pod, config.runtimePort(), "/q/health/ready");
    if (address.isEmpty()) {
      return Optional.empty();
    }
    URI uri = address.get();
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(READ_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return provider(response.body());
    } catch (IOException e) {
      LOG.debugf("no readiness from pod %s at %s: %s", pod.getMetadata().getName(), uri, e);
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The provider a SmallRye Health answer names in its model check's data. */
  static Optional<String> provider(String body) {
    try {
      for (JsonNode check : JSON.readTree(body).path("checks")) {
        String provider = check.path("data").path("executionProvider").asText("");
        if (provider.matches("[a-z]{1,20}")) {
          return Optional.of(provider);
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
