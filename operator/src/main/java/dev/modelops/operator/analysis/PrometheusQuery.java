package dev.modelops.operator.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.dependent.ModelLocation;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Measures one revision's pods over one interval with PromQL, from a Prometheus server that scrapes
 * the runtime pods and labels their series with {@code namespace} and {@code pod} (as a Prometheus
 * Operator PodMonitor does, and the usual {@code kubernetes_sd_configs} relabelling). The numbers
 * are those of the {@code pods} source: requests, server errors and the p99 latency, from the same
 * counters and histogram, over the same interval.
 */
public final class PrometheusQuery {

  static final String REQUESTS = PodSample.REQUESTS;
  static final String DURATION_BUCKET = PodSample.DURATION_BUCKET;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final URI base;
  private final Duration timeout;

  public PrometheusQuery(HttpClient http, String url, Duration timeout) {
    this.http = http;
    this.base = URI.create(url.endsWith("/") ? url : url + "/");
    this.timeout = timeout;
  }

  /**
   * A Prometheus that did not answer, or answered something other than a result. Its message goes
   * into status and an Event, so it is capped: Prometheus's own error text can be long.
   */
  public static final class PrometheusException extends Exception {
    static final int MAX_MESSAGE = 300;

    PrometheusException(String message) {
      super(
          message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 1) + "…");
    }
  }

  /**
   * The pods of one Deployment: {@code <deployment>-<pod-template-hash>-<suffix>}, so that the pods
   * of {@code a-r3} never match those of a ModelDeployment named {@code a-r3-r1}.
   */
  public static String podsOf(String deployment) {
    // A name is a DNS label or subdomain: its dots are the only regex characters, escaped for the
    // regex and again for the PromQL string.
    return deployment.replace(".", "\\\\.") + "-[a-z0-9]+-[a-z0-9]+";
  }

  /** One revision's numbers over the {@code window} that ends {@code at}. */
  public Measurement measure(ModelDeployment mdep, int revision, Duration window, Instant at)
      throws PrometheusException, InterruptedException {
    return measure(
        mdep.getMetadata().getNamespace(),
        podsOf(Labels.deploymentName(mdep, revision)),
        window,
        at);
  }

  /**
   * The numbers of the pods matching {@code podRegex} over the {@code window} that ends {@code at}.
   */
  Measurement measure(String namespace, String podRegex, Duration window, Instant at)
      throws PrometheusException, InterruptedException {
    String range = "[" + Math.max(1, window.toSeconds()) + "s]";
    String pods = "namespace=\"%s\",pod=~\"%s\"".formatted(namespace, podRegex);
    double requests = value(requests(pods, range, false), at).orElse(0);
    double errors = value(requests(pods, range, true), at).orElse(0);
    OptionalDouble p99 = requests > 0 ? value(p99(pods, range), at) : OptionalDouble.empty();
    Predictions predictions =
        requests > 0 ? Predictions.of(byBin(predictions(pods, range), at)) : Predictions.NONE;
    return new Measurement(Math.round(requests), Math.round(errors), p99, predictions);
  }

  /** The predictions answered over the range, by bin. */
  static String predictions(String pods, String range) {
    return "sum by (bin) (increase(%s{%s}%s))".formatted(Predictions.COUNTER, pods, range);
  }

  /** Requests answered over the range, or only those that count against a revision. */
  static String requests(String pods, String range, boolean serverErrorsOnly) {
    String outcome =
        serverErrorsOnly
            ? ",outcome=~\""
                + PodSample.SERVER_ERROR_OUTCOMES.stream().sorted().collect(Collectors.joining("|"))
                + "\""
            : "";
    return "sum(increase(%s{%s%s}%s))".formatted(REQUESTS, pods, outcome, range);
  }

  /** The 99th percentile of the request durations over the range, from the histogram's buckets. */
  static String p99(String pods, String range) {
    return "histogram_quantile(0.99, sum by (le) (increase(%s{%s}%s)))"
        .formatted(DURATION_BUCKET, pods, range);
  }

  private OptionalDouble value(String promql, Instant at)
      throws PrometheusException, InterruptedException {
    JsonNode result = result(promql, at);
    return result.isEmpty() ? OptionalDouble.empty() : number(result.get(0));
  }

  private Map<String, Double> byBin(String promql, Instant at)
      throws PrometheusException, InterruptedException {
    Map<String, Double> values = new TreeMap<>();
    for (JsonNode series : result(promql, at)) {
      OptionalDouble value = number(series);
      String bin = series.path("metric").path("bin").asText("");
      if (value.isPresent() && !bin.isEmpty()) {
        values.put(bin, value.getAsDouble());
      }
    }
    return values;
  }

  private JsonNode result(String promql, Instant at)
      throws PrometheusException, InterruptedException {
    String time = String.format(Locale.ROOT, "%.3f", at.toEpochMilli() / 1000.0);
    URI uri =
        base.resolve(
            "api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time="
                + time);
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      String why = e.getMessage() == null ? "" : ": " + e.getMessage();
      throw new PrometheusException(
          "Prometheus at %s did not answer (%s%s)"
              .formatted(
                  ModelLocation.redacted(base.toString()), e.getClass().getSimpleName(), why));
    }
    return results(response.statusCode(), response.body());
  }

  /**
   * The one value of an instant query's answer: empty when the vector is empty (no series matched,
   * as before a pod's first scrape) or the value is NaN (a quantile without requests).
   */
  static OptionalDouble parse(int status, String body) throws PrometheusException {
    JsonNode result = results(status, body);
    return result.isEmpty() ? OptionalDouble.empty() : number(result.get(0));
  }

  /** The series of an instant query's answer (an empty array for an empty vector). */
  static JsonNode results(int status, String body) throws PrometheusException {
    JsonNode answer;
    try {
      answer = JSON.readTree(body);
    } catch (IOException e) {
      throw new PrometheusException(
          "Prometheus answered HTTP %d with a body that is not JSON".formatted(status));
    }
    if (!"success".equals(answer.path("status").asText())) {
      throw new PrometheusException(
          "Prometheus answered HTTP %d: %s: %s"
              .formatted(
                  status,
                  answer.path("errorType").asText("error"),
                  answer.path("error").asText("no message")));
    }
    JsonNode result = answer.path("data").path("result");
    return result.isArray() ? result : JSON.createArrayNode();
  }

  /** A series' value; empty for NaN or infinite. */
  private static OptionalDouble number(JsonNode series) throws PrometheusException {
    String text = series.path("value").path(1).asText("NaN");
    try {
      double value = Double.parseDouble(text);
      return Double.isFinite(value) ? OptionalDouble.of(value) : OptionalDouble.empty();
    } catch (NumberFormatException e) {
      throw new PrometheusException("Prometheus answered a value that is not a number: " + text);
    }
  }
}
