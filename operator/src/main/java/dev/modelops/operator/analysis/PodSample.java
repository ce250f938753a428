package dev.modelops.operator.analysis;

import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one scrape of one runtime pod's /q/metrics says: its inference counters since the pod
 * started.
 *
 * @param requests inference requests answered, whatever the outcome
 * @param serverErrors requests that failed on the server's side ({@link #SERVER_ERROR_OUTCOMES})
 * @param latency the cumulative request duration histogram
 * @param predictions the cumulative predictions by bin ({@link Predictions})
 */
public record PodSample(
    double requests, double serverErrors, LatencyBuckets latency, Map<String, Double> predictions) {

  public PodSample(double requests, double serverErrors, LatencyBuckets latency) {
    this(requests, serverErrors, latency, Map.of());
  }

  /**
   * The outcomes that count against a canary: failures of the server or the model. The other error
   * kinds (bad_request, not_found, too_large, unauthorized) are the client's doing, and a client's
   * bad requests must not fail a revision. The runtime names the kinds in its InferenceException.
   */
  public static final Set<String> SERVER_ERROR_OUTCOMES =
      Set.of("internal", "model_error", "not_ready");

  /** A pod that has answered nothing: what a pod that started during an interval began from. */
  public static final PodSample NONE = new PodSample(0, 0, LatencyBuckets.NONE);

  static final String REQUESTS = "modelops_inference_requests_total";
  static final String DURATION_BUCKET = "modelops_inference_request_duration_seconds_bucket";

  /**
   * Reads the runtime's metrics from a scrape in Prometheus's text format, summed over their other
   * labels (protocol, and model and revision, of which a pod has one). Lines it cannot read and
   * values that are not counts (NaN, infinite, negative) are skipped: a scrape never throws.
   */
  public static PodSample parse(String text) {
    double requests = 0;
    double serverErrors = 0;
    NavigableMap<Double, Double> buckets = new TreeMap<>();
    Map<String, Double> predictions = new TreeMap<>();
    for (MetricLine line : text.lines().flatMap(l -> MetricLine.parse(l).stream()).toList()) {
      if (!Double.isFinite(line.value()) || line.value() < 0) {
        continue;
      }
      Map<String, String> labels = line.labels();
      if (line.name().equals(REQUESTS)) {
        requests += line.value();
        if (SERVER_ERROR_OUTCOMES.contains(labels.getOrDefault("outcome", ""))) {
          serverErrors += line.value();
        }
      } else if (line.name().equals(DURATION_BUCKET) && labels.containsKey("le")) {
        MetricLine.number(labels.get("le"))
            .filter(bound -> !bound.isNaN())
            .ifPresent(bound -> buckets.merge(bound, line.value(), Double::sum));
      } else if (line.name().equals(Predictions.COUNTER) && labels.containsKey("bin")) {
        predictions.merge(labels.get("bin"), line.value(), Double::sum);
      }
    }
    return new PodSample(requests, serverErrors, new LatencyBuckets(buckets), predictions);
  }

  /**
   * Whether a counter went down since an earlier scrape: the pod's process restarted and every
   * counter began again from zero.
   */
  public boolean restartedSince(PodSample earlier) {
    return requests < earlier.requests
        || serverErrors < earlier.serverErrors
        || latency.fellBelow(earlier.latency)
        || earlier.predictions.entrySet().stream()
            .anyMatch(e -> predictions.getOrDefault(e.getKey(), 0.0) < e.getValue());
  }
}
