package dev.modelops.operator.rollout;

import dev.modelops.operator.analysis.Predictions;
import dev.modelops.operator.analysis.TrainedOutputs;
import dev.modelops.operator.api.v1alpha1.AnalysisSpec;
import dev.modelops.operator.api.v1alpha1.AnalysisVerdict;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** Judges one interval of a canary against the analysis thresholds. */
public final class AnalysisJudge {

  public static final String PASS = "Pass";
  public static final String FAIL = "Fail";
  public static final String INCONCLUSIVE = "Inconclusive";

  private AnalysisJudge() {}

  /** An interval whose numbers could not be read: never a Pass, never a Fail. */
  public static AnalysisVerdict unavailable(String message, int step, String time) {
    AnalysisVerdict v = new AnalysisVerdict();
    v.time = time;
    v.step = step;
    v.verdict = INCONCLUSIVE;
    v.message = "no numbers for this interval: " + message + "; the step waits for another one";
    return v;
  }

  public static AnalysisVerdict judge(
      AnalysisSpec spec, IntervalStats canary, IntervalStats stable, int step, String time) {
    AnalysisVerdict v = new AnalysisVerdict();
    v.time = time;
    v.step = step;
    v.requests = canary.requests();
    v.errorRate = canary.errorRateText();
    v.latencyP99 = canary.p99Text();
    v.stableRequests = stable.requests();
    v.stableErrorRate = stable.errorRateText();
    v.stableLatencyP99 = stable.p99Text();
    int minRequests = Objects.requireNonNullElse(spec.minRequests, 50);
    double maxErrorRate = Objects.requireNonNullElse(spec.maxErrorRate, 0.01);
    if (canary.requests() < Math.max(1, minRequests)) {
      v.verdict = INCONCLUSIVE;
      v.message =
          "%d requests reached the canary, fewer than minRequests %d: the step waits for another interval"
              .formatted(canary.requests(), minRequests);
      return v;
    }
    double errorRate = canary.errorRate().orElse(0.0);
    String errors =
        String.format(
            Locale.ROOT,
            "error rate %.4f (%d of %d requests)",
            errorRate,
            canary.errors(),
            canary.requests());
    if (errorRate > maxErrorRate) {
      v.verdict = FAIL;
      v.message = errors + " is over maxErrorRate " + maxErrorRate;
      return v;
    }
    if (spec.maxLatencyP99 != null && canary.p99Seconds().isPresent()) {
      Duration limit = GoDuration.parse(spec.maxLatencyP99);
      double p99 = canary.p99Seconds().getAsDouble();
      if (p99 * 1e9 > limit.toNanos()) {
        v.verdict = FAIL;
        v.message =
            "p99 latency %s is over maxLatencyP99 %s (%s)"
                .formatted(canary.p99Text(), spec.maxLatencyP99, errors);
        return v;
      }
    }
    String passed =
        errors
            + " within maxErrorRate "
            + maxErrorRate
            + (canary.p99Seconds().isPresent() ? "; p99 latency " + canary.p99Text() : "")
            + (spec.maxLatencyP99 == null ? "" : " within " + spec.maxLatencyP99);
    if (spec.maxOutputDivergence != null) {
      Optional<Compared> compared = compare(canary, stable, Math.max(1, minRequests));
      if (compared.isEmpty()) {
        passed += "; predictions not compared: " + tooFew(canary, stable, minRequests);
      } else {
        v.outputDivergence = String.format(Locale.ROOT, "%.3f", compared.get().distance());
        if (compared.get().distance() > spec.maxOutputDivergence) {
          v.verdict = FAIL;
          v.message =
              compared.get().text(v.outputDivergence)
                  + " is over maxOutputDivergence "
                  + spec.maxOutputDivergence
                  + "; "
                  + errors;
          return v;
        }
        passed +=
            "; "
                + compared.get().text(v.outputDivergence)
                + " within maxOutputDivergence "
                + spec.maxOutputDivergence;
      }
    }
    v.verdict = PASS;
    v.message = passed;
    return v;
  }

  /** The canary's predictions against their reference, and the distance between them. */
  private record Compared(
      double distance, String reference, Predictions canary, String name, Predictions to) {
    String text(String formatted) {
      return "predictions' Jensen-Shannon distance from %s %s (canary %s; %s %s)"
          .formatted(reference, formatted, canary, name, to);
    }
  }

  /**
   * The canary's predictions beside the labels it was trained on, when its baseline gives them (its
   * pods' drift windows): a model retrained after drift is judged against the data it learnt, not
   * against the stable model that drift made wrong. Otherwise beside the stable revision's
   * predictions over the same interval. Empty with fewer than {@code min} predictions on a side.
   */
  private static Optional<Compared> compare(IntervalStats canary, IntervalStats stable, int min) {
    if (canary.trained().isPresent()) {
      TrainedOutputs t = canary.trained().get();
      return t.predicted().total() < min
          ? Optional.empty()
          : Optional.of(
              new Compared(
                  t.predicted().distanceTo(t.labels()),
                  "the training labels",
                  t.predicted(),
                  "labels",
                  t.labels()));
    }
    Predictions c = canary.predictions();
    Predictions s = stable.predictions();
    return c.total() < min || s.total() < min
        ? Optional.empty()
        : Optional.of(new Compared(c.distanceTo(s), "the stable's", c, "stable", s));
  }

  private static String tooFew(IntervalStats canary, IntervalStats stable, int minRequests) {
    if (canary.trained().isPresent()) {
      return "%d predictions in the canary's drift windows, fewer than minRequests %d"
          .formatted(canary.trained().get().predicted().total(), minRequests);
    }
    return "%d of the canary's and %d of the stable's counted, fewer than minRequests %d"
        .formatted(canary.predictions().total(), stable.predictions().total(), minRequests);
  }
}
