package dev.modelops.runtime.drift;

import dev.modelops.drift.DriftScores;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON of {@code GET /v2/models/{name}/drift}, an extension of the V2 protocol (see
 * docs/drift-and-retraining.md): per feature its window's counts over the baseline's bins, and the
 * scores once the window is full; the same for the outputs; and the overall scores.
 */
public final class DriftReport {

  private DriftReport() {}

  public static Map<String, Object> json(
      String model, String version, int window, DriftMonitor.Status status, DriftState state) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", model);
    out.put("version", version);
    out.put("enabled", status.enabled());
    out.put("window", window);
    if (!status.enabled() || status.plan().isEmpty()) {
      out.put("reason", status.reason());
      return out;
    }
    RecordPlan plan = status.plan().get();
    plan.input().ifPresent(i -> out.put("input", i));
    out.put("samples", state.rows());
    out.put("droppedSamples", state.dropped());
    out.put("features", state.features().stream().map(DriftReport::window).toList());
    state.overall().ifPresent(o -> out.put("overall", scores(o, new LinkedHashMap<>())));
    state
        .outputs()
        .ifPresent(
            w -> {
              Map<String, Object> outputs = window(w);
              outputs.put("kind", plan.outputKind().orElseThrow().name().toLowerCase());
              outputs.put(
                  "baseline", plan.outputBins().map(b -> total(b.counts()) > 0).orElse(false));
              out.put("outputs", outputs);
            });
    if (!plan.notes().isEmpty()) {
      out.put("notes", plan.notes());
    }
    return out;
  }

  private static Map<String, Object> window(DriftState.Window w) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", w.feature().name());
    out.put("type", w.feature() instanceof BaselineFeature.Numeric ? "numeric" : "categorical");
    out.put("samples", w.samples());
    out.put("windowFull", w.full());
    if (w.feature() instanceof BaselineFeature.Numeric n) {
      out.put("binEdges", n.binEdges());
    } else if (w.feature() instanceof BaselineFeature.Categorical c) {
      out.put("labels", c.labels());
    }
    out.put("counts", w.counts());
    // What the operator needs to score the sum of several pods' counts itself.
    out.put("baselineCounts", w.feature().counts());
    if (w.feature() instanceof BaselineFeature.Numeric n) {
      out.put("baselineStd", n.std());
    }
    w.scores().ifPresent(s -> scores(s, out));
    return out;
  }

  private static Map<String, Object> scores(DriftScores s, Map<String, Object> out) {
    out.put("psi", s.psi());
    s.ks()
        .ifPresent(ks -> out.put("ks", Map.of("statistic", ks.statistic(), "pValue", ks.pValue())));
    out.put("jensenShannon", s.jensenShannon());
    s.wasserstein().ifPresent(w -> out.put("wasserstein", w));
    return out;
  }

  private static long total(long[] counts) {
    return java.util.Arrays.stream(counts).sum();
  }
}
