package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.Conditions;
import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.config.OperatorConfig;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.drift.DriftReading;
import dev.modelops.operator.drift.PodDriftReport;
import dev.modelops.operator.rollout.GoDuration;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Reads the drift report of each ready pod of the stable revision by pod IP, every {@code
 * spec.drift.evaluationInterval}, as {@link CanaryAnalysis} reads their metrics. A pod that does
 * not answer is named in the reading, never thrown into the reconcile.
 *
 * <p>When the last evaluation was is kept in memory: a restarted operator evaluates at once.
 */
@ApplicationScoped
public class DriftReader {

  private static final Logger LOG = Logger.getLogger(DriftReader.class);

  static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

  @Inject OperatorConfig config;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(READ_TIMEOUT).build();

  /** The last evaluation of each ModelDeployment, by uid. */
  private final Map<String, Instant> evaluated = new ConcurrentHashMap<>();

  /** The evaluation due in this reconcile, read; empty when none is due or drift is not set. */
  public Optional<DriftReading> read(ObservedState state, Instant now) {
    ModelDeployment mdep = state.mdep();
    DriftSpec drift = mdep.getSpec().drift;
    String uid = mdep.getMetadata().getUid();
    if (drift == null || state.invalidSpec().isPresent()) {
      evaluated.remove(uid);
      return Optional.empty();
    }
    Instant last = evaluated.get(uid);
    boolean recorded =
        ConditionList.find(state.recorded().conditions, Conditions.DRIFT_DETECTED).isPresent();
    if (recorded && last != null && now.isBefore(last.plus(interval(drift)))) {
      return Optional.empty();
    }
    evaluated.put(uid, now);
    int revision = state.stable().orElse(0);
    boolean hasBaseline = mdep.getSpec().model.baseline != null;
    List<Pod> ready =
        revision == 0
            ? List.of()
            : state.podsOf(revision).stream().filter(RuntimePods::ready).toList();
    List<PodDriftReport> reports = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    if (hasBaseline) {
      readAll(state, revision, ready, reports, unreadable);
    }
    return Optional.of(new DriftReading(revision, hasBaseline, ready.size(), reports, unreadable));
  }

  /**
   * The drift reports of a revision's ready pods, for canary analysis: a pod that does not answer
   * is left out (and logged at debug level).
   */
  public List<PodDriftReport> reports(ObservedState state, int revision) {
    List<PodDriftReport> reports = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    readAll(
        state,
        revision,
        state.podsOf(revision).stream().filter(RuntimePods::ready).toList(),
        reports,
        unreadable);
    unreadable.forEach(why -> LOG.debugf("no drift report from %s", why));
    return reports;
  }

  /**
   * Reads each pod's report of the revision's model into {@code reports}, and why a pod gave none
   * into {@code unreadable}; stops early when the reconcile is interrupted.
   */
  private void readAll(
      ObservedState state,
      int revision,
      List<Pod> pods,
      List<PodDriftReport> reports,
      List<String> unreadable) {
    ModelDeployment mdep = state.mdep();
    String model =
        state
            .revision(revision)
            .map(r -> Labels.modelName(mdep, r))
            .orElse(mdep.getMetadata().getName());
    for (Pod pod : pods) {
      try {
        reports.add(readOne(pod, model));
      } catch (Unreadable e) {
        unreadable.add("pod %s: %s".formatted(pod.getMetadata().getName(), e.getMessage()));
      }
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
    }
  }

  /** How often drift is evaluated: spec.drift.evaluationInterval, at least a second. */
  public static Duration interval(DriftSpec drift) {
    Duration d = GoDuration.parse(drift.evaluationInterval);
    return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
  }

  /** Forgets the ModelDeployments that are gone. */
  public void retain(Set<String> uids) {
    evaluated.keySet().retainAll(uids);
  }

  /** Why a pod gave no report, in words for the condition's message. */
  private static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  private PodDriftReport readOne(Pod pod, String model) throws Unreadable {
    String name = pod.getMetadata().getName();
    URI uri =
        RuntimePods.uri(
                pod,
                config.runtimePort(),
                "/v2/models/%s/drift".formatted(URLEncoder.encode(model, StandardCharsets.UTF_8)))
            .orElseThrow(() -> new Unreadable("no pod IP"));
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(READ_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new Unreadable("HTTP %d from %s".formatted(response.statusCode(), uri));
      }
      return PodDriftReport.parse(name, response.body());
    } catch (IOException e) {
      LOG.debugf("no drift report from pod %s at %s: %s", name, uri, e);
      throw new Unreadable("%s did not answer (%s)".formatted(uri, e.getClass().getSimpleName()));
    } catch (IllegalArgumentException e) {
      throw new Unreadable(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreadable("interrupted");
    }
  }
}
