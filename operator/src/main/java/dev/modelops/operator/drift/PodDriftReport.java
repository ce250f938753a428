package dev.modelops.operator.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.StreamSupport;

/**
 * One pod's answer to {@code GET /v2/models/{name}/drift}, the part the operator adds up: each
 * feature's window counts over the baseline's bins, and the baseline's own counts over them.
 *
 * @param reason why drift is off, or why there are no features yet; empty otherwise
 * @param outputs the window of the model's predictions over the baseline's outputs, when the
 *     baseline describes them (the labels of the training data)
 */
public record PodDriftReport(
    String pod, boolean enabled, String reason, List<Feature> features, Optional<Feature> outputs) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public PodDriftReport {
    features = List.copyOf(features);
  }

  /**
   * One feature's window in one pod.
   *
   * @param binEdges a numeric feature's k+1 edges (empty for a categorical one)
   * @param labels a categorical feature's values, then "other" (empty for a numeric one)
   * @param counts the window's counts: numeric [underflow, k bins, overflow], categorical by label
   * @param baselineCounts the baseline's counts over the same bins
   * @param baselineStd a numeric feature's standard deviation in the baseline (0 if categorical)
   */
  public record Feature(
      String name,
      boolean numeric,
      long samples,
      double[] binEdges,
      List<String> labels,
      long[] counts,
      long[] baselineCounts,
      double baselineStd) {

    /** Whether two pods counted this feature the same way: same baseline, so their sums add. */
    public boolean sameBins(Feature o) {
      return name.equals(o.name)
          && numeric == o.numeric
          && Arrays.equals(binEdges, o.binEdges)
          && labels.equals(o.labels)
          && Arrays.equals(baselineCounts, o.baselineCounts)
          && Double.compare(baselineStd, o.baselineStd) == 0;
    }

    public Feature plus(Feature o) {
      long[] sum = counts.clone();
      for (int i = 0; i < sum.length; i++) {
        sum[i] += o.counts[i];
      }
      return new Feature(
          name, numeric, samples + o.samples, binEdges, labels, sum, baselineCounts, baselineStd);
    }
  }

  /** Whether the two reports' features can be added up, feature by feature. */
  public boolean sameBins(PodDriftReport o) {
    if (features.size() != o.features.size()) {
      return false;
    }
    for (int i = 0; i < features.size(); i++) {
      if (!features.get(i).sameBins(o.features.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Reads a report; throws {@link IllegalArgumentException} saying what is missing. */
  public static PodDriftReport parse(String pod, String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the drift report is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the drift report is not a JSON object");
    }
    boolean enabled = root.path("enabled").asBoolean(false);
    String reason = root.path("reason").asText("");
    List<Feature> features = new ArrayList<>();
    for (JsonNode f : root.path("features")) {
      features.add(feature(f));
    }
    JsonNode out = root.path("outputs");
    Optional<Feature> outputs =
        out.path("baseline").asBoolean(false) ? Optional.of(feature(out)) : Optional.empty();
    return new PodDriftReport(pod, enabled, reason, features, outputs);
  }

  private static Feature feature(JsonNode f) {
    String name = f.path("name").asText(null);
    if (name == null) {
      throw new IllegalArgumentException("a feature of the drift report has no name");
    }
    if (!f.has("counts") || !f.has("baselineCounts")) {
      throw new IllegalArgumentException(
          "feature '%s' of the drift report has no %s (a runtime older than the operator?)"
              .formatted(name, f.has("counts") ? "baselineCounts" : "counts"));
    }
    boolean numeric = "numeric".equals(f.path("type").asText());
    long[] counts = longs(f.get("counts"));
    long[] baseline = longs(f.get("baselineCounts"));
    double[] edges =
        StreamSupport.stream(f.path("binEdges").spliterator(), false)
            .mapToDouble(JsonNode::asDouble)
            .toArray();
    List<String> labels =
        StreamSupport.stream(f.path("labels").spliterator(), false).map(JsonNode::asText).toList();
    int expected = numeric ? edges.length + 1 : labels.size();
    if (counts.length != baseline.length || counts.length != expected) {
      throw new IllegalArgumentException(
          "feature '%s' of the drift report has %d counts and %d baseline counts for %d bins"
              .formatted(name, counts.length, baseline.length, expected));
    }
    return new Feature(
        name,
        numeric,
        f.path("samples").asLong(Arrays.stream(counts).sum()),
        edges,
        labels,
        counts,
        baseline,
        Objects.requireNonNullElse(f.path("baselineStd").numberValue(), 0).doubleValue());
  }

  private static long[] longs(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
  }
}
