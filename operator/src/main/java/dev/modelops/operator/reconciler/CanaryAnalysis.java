package dev.modelops.operator.reconciler;

import dev.modelops.operator.analysis.Measurement;
import dev.modelops.operator.analysis.PodSample;
import dev.modelops.operator.analysis.PrometheusQuery;
import dev.modelops.operator.analysis.TrainedOutputs;
import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.CanaryStatus;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.config.OperatorConfig;
import dev.modelops.operator.rollout.IntervalStats;
import dev.modelops.operator.rollout.RolloutDecider;
import dev.modelops.operator.rollout.RolloutInputs.Check;
import dev.modelops.operator.rollout.RolloutPlan;
import dev.modelops.operator.rollout.Timestamps;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Measures a canary and its stable revision over each analysis interval, from one of two sources.
 *
 * <p>{@code pods}: each runtime pod's Prometheus endpoint is read by pod IP, as Prometheus would,
 * at the start and end of every analysis interval, and the operator takes the differences itself.
 * The start sample is kept in memory; an operator that restarted has none, and measures from its
 * first sample instead (the interval restarts; nothing is judged on a guess).
 *
 * <p>{@code prometheus}: PromQL over the interval since the last check, so nothing is kept here and
 * a restarted operator judges its first interval whole. A Prometheus that does not answer makes the
 * check inconclusive, never a Pass or a Fail.
 */
@ApplicationScoped
public class CanaryAnalysis {

  private static final Logger LOG = Logger.getLogger(CanaryAnalysis.class);

  static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(2);
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

  @Inject OperatorConfig config;
  @Inject DriftReader drift;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(SCRAPE_TIMEOUT).build();

  /** Samples of the stable and the canary pods, taken at one time. */
  private record Sample(String at, Map<String, PodSample> canary, Map<String, PodSample> stable) {}

  /** The sample at the start of the current interval, per ModelDeployment and canary revision. */
  private final Map<String, Sample> starts = new ConcurrentHashMap<>();

  /** The sample this reconcile took, kept for the start of the next interval. */
  private final Map<String, Sample> taken = new ConcurrentHashMap<>();

  /** The check of the canary this reconcile owes, if one is due. */
  public Optional<Check> measure(ObservedState state, Instant now) {
    CanaryStatus canary = state.recorded().canary;
    if (!RolloutDecider.analysisDue(state.mdep().getSpec().rollout, canary, now)) {
      return Optional.empty();
    }
    Integer stable = state.recorded().stableRevision;
    Optional<String> prometheus = prometheusUrl(state.mdep().getSpec().rollout.analysis);
    if (prometheus.isPresent()) {
      return query(state, prometheus.get(), canary, stable, now)
          .map(check -> withTrainedOutputs(state, canary.revision, check));
    }
    Sample end = sample(state, canary.revision, stable, now);
    String uid = state.mdep().getMetadata().getUid();
    taken.put(uid, end);
    Sample start = starts.get(key(uid, canary.revision));
    if (start == null || !start.at().equals(canary.lastAnalysisAt)) {
      return Optional.of(new Check.NoEarlierSample());
    }
    return Optional.of(
        withTrainedOutputs(
            state,
            canary.revision,
            new Check.Measured(
                stats(Measurement.between(start.canary(), end.canary())),
                stats(Measurement.between(start.stable(), end.stable())))));
  }

  /**
   * When the analysis compares predictions and the canary revision has a drift baseline: its pods'
   * recent predictions beside the baseline's outputs (the labels it learnt), from their drift
   * reports.
   */
  private Check withTrainedOutputs(ObservedState state, int canary, Check check) {
    AnalysisSpec analysis = state.mdep().getSpec().rollout.analysis;
    boolean baseline = state.revision(canary).flatMap(r -> r.baseline()).isPresent();
    if (!(check instanceof Check.Measured measured)
        || analysis.maxOutputDivergence == null
        || !baseline) {
      return check;
    }
    return new Check.Measured(
        measured.canary().with(TrainedOutputs.of(drift.reports(state, canary))), measured.stable());
  }

  /**
   * The Prometheus to query, when the analysis reads one: the ModelDeployment's own, else the
   * operator's default when the ModelDeployment names no source.
   */
  Optional<String> prometheusUrl(AnalysisSpec analysis) {
    if (analysis.source == AnalysisSpec.Source.pods) {
      return Optional.empty();
    }
    if (analysis.prometheus != null && analysis.prometheus.url != null) {
      return Optional.of(analysis.prometheus.url);
    }
    boolean byDefault =
        analysis.source == null
            && config.analysis().defaultSource() == OperatorConfig.AnalysisSource.prometheus;
    return byDefault ? config.analysis().prometheusUrl() : Optional.empty();
  }

  private Optional<Check> query(
      ObservedState state, String url, CanaryStatus canary, Integer stable, Instant now) {
    ModelDeployment mdep = state.mdep();
    Duration window = Duration.between(RolloutDecider.intervalStart(canary), now);
    PrometheusQuery prometheus = new PrometheusQuery(http, url, QUERY_TIMEOUT);
    try {
      IntervalStats c = stats(prometheus.measure(mdep, canary.revision, window, now));
      IntervalStats s =
          stable == null
              ? IntervalStats.NONE
              : stats(prometheus.measure(mdep, stable, window, now));
      return Optional.of(new Check.Measured(c, s));
    } catch (PrometheusQuery.PrometheusException e) {
      return Optional.of(new Check.Unavailable(StatusMessage.of(e.getMessage())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Keeps the sample that starts the next interval, when the plan starts one now. */
  public void remember(ObservedState state, RolloutPlan plan, Instant now) {
    String uid = state.mdep().getMetadata().getUid();
    Sample end = taken.remove(uid);
    AnalysisSpec analysis = state.mdep().getSpec().rollout.analysis;
    Optional<CanaryStatus> canary =
        plan.canary()
            .filter(c -> c.lastAnalysisAt != null)
            .filter(c -> analysis != null && prometheusUrl(analysis).isEmpty());
    if (canary.isEmpty()) {
      forget(uid);
      return;
    }
    CanaryStatus c = canary.get();
    String at = Timestamps.seconds(now);
    if (c.lastAnalysisAt.equals(at)) {
      Sample start = end != null ? end : sample(state, c.revision, plan.stable(), now);
      forget(uid);
      starts.put(key(uid, c.revision), new Sample(at, start.canary(), start.stable()));
    }
  }

  /** Drops the samples of ModelDeployments that are gone. */
  public void retain(java.util.Set<String> uids) {
    starts.keySet().removeIf(k -> !uids.contains(k.substring(0, k.indexOf('/'))));
    taken.keySet().retainAll(uids);
  }

  private void forget(String uid) {
    starts.keySet().removeIf(k -> k.startsWith(uid + "/"));
  }

  private Sample sample(ObservedState state, int canary, Integer stable, Instant now) {
    return new Sample(
        Timestamps.seconds(now),
        scrape(state, canary),
        stable == null ? Map.of() : scrape(state, stable));
  }

  private Map<String, PodSample> scrape(ObservedState state, int revision) {
    Map<String, PodSample> samples = new LinkedHashMap<>();
    for (Pod pod : state.podsOf(revision)) {
      Optional<URI> address = RuntimePods.uri(pod, config.runtimePort(), "/q/metrics");
      if (address.isEmpty()) {
        continue;
      }
      URI uri = address.get();
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(uri).timeout(SCRAPE_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          samples.put(pod.getMetadata().getName(), PodSample.parse(response.body()));
        }
      } catch (IOException e) {
        LOG.debugf("no metrics from pod %s at %s: %s", pod.getMetadata().getName(), uri, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return samples;
  }

  private static IntervalStats stats(Measurement m) {
    return new IntervalStats(m.requests(), m.errors(), m.latencyP99(), m.predictions());
  }

  private static String key(String uid, int revision) {
    return uid + "/" + revision;
  }
}
