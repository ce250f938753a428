package dev.modelops.runtime.drift;

import dev.modelops.drift.DriftScores;
import dev.modelops.runtime.config.RuntimeConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The drift scores as Prometheus gauges, labelled by model and revision like the runtime's other
 * metrics. A score's series appears once its window is first full (a sliding window stays full), so
 * no series ever reads NaN; the baseline bounds the features, {@link RecordPlan#MAX_FEATURES} caps
 * them.
 */
@ApplicationScoped
public class DriftGauges {

  @Inject MeterRegistry registry;
  @Inject RuntimeConfig config;

  private final Map<Tags, AtomicLong> values = new ConcurrentHashMap<>();
  private volatile DriftState state = DriftState.EMPTY;

  private Tags base() {
    return Tags.of("model", config.model().name(), "revision", config.revision());
  }

  /** The window's rows and the dropped rows, from the start: drift is on. */
  void enabled(SampleRing ring) {
    Gauge.builder("modelops_drift_window_samples", this, g -> g.state.rows())
        .description("Rows in the current drift window (scores appear once it is full)")
        .tags(base())
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder("modelops_drift_dropped_samples", ring, SampleRing::dropped)
        .description("Rows not recorded for drift because the recorder was busy or behind")
        .tags(base())
        .register(registry);
  }

  void update(DriftState state) {
    this.state = state;
    for (DriftState.Window w : state.features()) {
      w.scores()
          .ifPresent(
              s -> set("modelops_drift_score", base().and("feature", w.feature().name()), s));
    }
    state.overall().ifPresent(s -> set("modelops_drift_overall_score", base(), s));
    state
        .outputs()
        .ifPresent(
            w ->
                w.scores()
                    .ifPresent(
                        s ->
                            set(
                                "modelops_drift_output_score",
                                base().and("output", w.feature().name()),
                                s)));
  }

  private void set(String name, Tags tags, DriftScores scores) {
    byMethod(scores)
        .forEach(
            (method, value) -> {
              Tags key = tags.and("method", method).and("name", name);
              AtomicLong holder =
                  values.computeIfAbsent(
                      key,
                      k -> {
                        AtomicLong bits = new AtomicLong(Double.doubleToLongBits(value));
                        ToDoubleFunction<AtomicLong> read = a -> Double.longBitsToDouble(a.get());
                        Gauge.builder(name, bits, read)
                            .description("Drift from the baseline by method, of the full window")
                            .tags(tags.and("method", method))
                            .strongReference(true)
                            .register(registry);
                        return bits;
                      });
              holder.set(Double.doubleToLongBits(value));
            });
  }

  /** The method label's values: the JSON report's field names. */
  static Map<String, Double> byMethod(DriftScores s) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("psi", s.psi());
    m.put("jensenShannon", s.jensenShannon());
    s.ks()
        .ifPresent(
            ks -> {
              m.put("ks", ks.statistic());
              m.put("ksPValue", ks.pValue());
            });
    s.wasserstein().ifPresent(w -> m.put("wasserstein", w));
    return m;
  }
}
