package dev.modelops.runtime.drift;

import dev.modelops.runtime.config.RuntimeConfig;
import dev.modelops.runtime.inference.ModelSession;
import dev.modelops.runtime.inference.Tensor;
import dev.modelops.runtime.inference.TensorSpec;
import dev.modelops.runtime.model.ModelRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The model's predictions as the counter {@code modelops_inference_predictions_total}, labelled by
 * {@code bin}: the predicted class of a classifier (the argmax of a row, {@code 0} to {@code n-1}),
 * or the tenth of [0, 1] a score falls in ({@code 0.0} to {@code 0.9}, {@code lt0}, {@code gt1}).
 * Canary analysis compares these counts between the canary's and the stable revision's pods over
 * the same interval ({@code spec.rollout.analysis.maxOutputDivergence}).
 *
 * <p>On with or without a drift baseline: the output counted is the one drift records without a
 * baseline for its outputs (the model's first, numeric, of shape [batch] or [batch, n]). A
 * classifier of more than {@link #MAX_CLASSES} classes, or with a free number of them, is not
 * counted: it would make too many series.
 */
@ApplicationScoped
public class PredictionCounts {

  private static final Logger LOG = Logger.getLogger(PredictionCounts.class);

  static final int MAX_CLASSES = 100;

  static final String[] SCORE_BINS = {
    "lt0", "0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "gt1"
  };

  @Inject MeterRegistry registry;
  @Inject RuntimeConfig config;
  @Inject ModelRegistry models;

  /** What is counted, decided once the model has loaded; no bins when nothing is. */
  private record Plan(String output, RecordPlan.OutputKind kind, int columns, Counter[] bins) {}

  private static final Plan NOTHING = new Plan("", RecordPlan.OutputKind.SCORE, 0, new Counter[0]);

  private volatile Plan plan;

  /** Counts an answered request's predictions; called after its answer is sent. */
  public void record(Map<String, Tensor> outputs) {
    Plan p = plan != null ? plan : bind();
    if (p == null || p.bins().length == 0) {
      return;
    }
    Tensor out = outputs.get(p.output());
    long rows = out == null ? 0 : out.rows();
    if (rows <= 0 || out.elementCount() != rows * p.columns()) {
      return;
    }
    for (int r = 0; r < rows; r++) {
      double value = SampleRing.predicted(out, r, p.columns(), p.kind());
      int bin = p.kind() == RecordPlan.OutputKind.CLASS ? (int) value : scoreBin(value);
      if (bin >= 0 && bin < p.bins().length) {
        p.bins()[bin].increment();
      }
    }
  }

  /** The index in {@link #SCORE_BINS} of a score; -1 for NaN. */
  static int scoreBin(double score) {
    if (Double.isNaN(score)) {
      return -1;
    }
    if (score < 0) {
      return 0;
    }
    if (score > 1) {
      return SCORE_BINS.length - 1;
    }
    return 1 + Math.min(9, (int) (score * 10));
  }

  private synchronized Plan bind() {
    if (plan != null) {
      return plan;
    }
    Optional<ModelSession> session = models.model().session();
    if (session.isEmpty()) {
      return null;
    }
    Optional<TensorSpec> output =
        RecordPlan.recordedOutput(session.get().outputs(), Optional.empty());
    plan = output.map(this::plan).orElse(NOTHING);
    if (plan == NOTHING) {
      LOG.infof(
          "model %s: predictions are not counted: that needs a numeric output of shape [batch] or"
              + " [batch, n] with at most %d classes",
          config.model().name(), MAX_CLASSES);
    }
    return plan;
  }

  private Plan plan(TensorSpec out) {
    long columns = out.shape().length == 2 ? out.shape()[1] : 1;
    if (columns < 0 || columns > MAX_CLASSES) {
      return NOTHING;
    }
    boolean scores = columns == 1;
    String[] names = scores ? SCORE_BINS : new String[(int) columns];
    if (!scores) {
      for (int c = 0; c < columns; c++) {
        names[c] = Integer.toString(c);
      }
    }
    Counter[] bins = new Counter[names.length];
    for (int i = 0; i < names.length; i++) {
      bins[i] =
          Counter.builder("modelops_inference_predictions")
              .description(
                  "Predictions answered, by bin: the predicted class of a classifier, or the tenth"
                      + " of [0, 1] of a score")
              .tags(
                  "model",
                  config.model().name(),
                  "revision",
                  config.revision(),
                  "output",
                  out.name(),
                  "bin",
                  names[i])
              .register(registry);
    }
    return new Plan(
        out.name(),
        scores ? RecordPlan.OutputKind.SCORE : RecordPlan.OutputKind.CLASS,
        (int) columns,
        bins);
  }
}
