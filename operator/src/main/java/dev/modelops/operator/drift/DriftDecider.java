package dev.modelops.operator.drift;

import dev.modelops.drift.DriftScores;
import dev.modelops.operator.api.v1alpha1.Conditions.Reason;
import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.api.v1alpha1.DriftStatus;
import dev.modelops.operator.rollout.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/**
 * Decides drift from what the pods reported: adds up their windows, scores the sum with the spec's
 * method, and sets or clears DriftDetected with hysteresis. Pure: the same inputs and clock give
 * the same verdict.
 *
 * <p>An evaluation that changes nothing material (the condition, the worst features, the score by
 * less than 5% of the threshold) keeps the recorded status as it is, so a steady ModelDeployment
 * costs no write; {@link #HEARTBEAT} bounds how old {@code evaluatedAt} gets.
 */
public final class DriftDecider {

  /** Evaluations in a row under the clearing bound that clear DriftDetected. */
  public static final int CLEAR_AFTER = 2;

  /** The longest a recorded evaluation is kept unchanged while evaluations go on. */
  public static final Duration HEARTBEAT = Duration.ofMinutes(10);

  /** A score change that is worth a write, as a share of the threshold (on the severity scale). */
  static final double MATERIAL_SCORE = 0.05;

  /** A change of the samples collected that is worth a write, as a share of the window. */
  static final double MATERIAL_SAMPLES = 0.1;

  static final int WORST = 3;

  private DriftDecider() {}

  /**
   * @param reading what this reconcile read, empty when no evaluation was due (the recorded verdict
   *     stays)
   */
  public static DriftVerdict decide(
      DriftSpec spec,
      Optional<DriftReading> reading,
      Optional<DriftStatus> recorded,
      Optional<DriftVerdict.Condition> recordedCondition,
      Instant now) {
    if (spec == null) {
      return DriftVerdict.NONE;
    }
    if (reading.isEmpty()) {
      return new DriftVerdict(recorded, recordedCondition);
    }
    DriftRule rule = DriftRule.of(spec);
    DriftVerdict fresh = evaluate(spec, rule, reading.get(), recorded, recordedCondition, now);
    if (recordedCondition.isPresent()
        && recorded.isPresent()
        && !material(spec, rule, recorded.get(), recordedCondition.get(), fresh, now)) {
      return new DriftVerdict(recorded, recordedCondition);
    }
    return fresh;
  }

  private static DriftVerdict evaluate(
      DriftSpec spec,
      DriftRule rule,
      DriftReading reading,
      Optional<DriftStatus> recorded,
      Optional<DriftVerdict.Condition> previous,
      Instant now) {
    DriftStatus status = new DriftStatus();
    status.method = spec.method.name();
    status.threshold = rule.threshold();
    status.revision = reading.revision() > 0 ? reading.revision() : null;
    status.evaluatedAt = Timestamps.seconds(now);
    if (!reading.hasBaseline()) {
      return unknown(
          status,
          Reason.NO_BASELINE,
          "spec.model.baseline is not set: there is nothing to compare the inputs with");
    }
    if (reading.revision() == 0 || reading.readyPods() == 0) {
      return unknown(
          status,
          Reason.DRIFT_UNAVAILABLE,
          reading.revision() == 0
              ? "no revision serves yet"
              : "revision %d has no ready pod to read".formatted(reading.revision()));
    }
    PooledWindow pooled = PooledWindow.of(reading.reports());
    List<String> notes = new ArrayList<>(reading.unreadable());
    notes.addAll(pooled.leftOut());
    String left = notes.isEmpty() ? "" : "; left out: " + String.join("; ", notes);
    if (pooled.pods().isEmpty()) {
      return unknown(
          status,
          Reason.DRIFT_UNAVAILABLE,
          "no drift report from the %d ready pods of revision %d: %s"
              .formatted(reading.readyPods(), reading.revision(), String.join("; ", notes)));
    }
    status.pods = pooled.pods().size();
    int window = spec.window;
    List<PodDriftReport.Feature> full =
        pooled.features().stream().filter(f -> f.samples() >= window).toList();
    long samples =
        pooled.features().stream().mapToLong(PodDriftReport.Feature::samples).max().orElse(0);
    status.samples = samples;
    if (full.isEmpty()) {
      return unknown(
          status,
          Reason.COLLECTING,
          "collecting: %d of %d samples in the window of revision %d (%d pods)%s"
              .formatted(samples, window, reading.revision(), pooled.pods().size(), left));
    }
    List<DriftScores> scored = new ArrayList<>();
    List<DriftStatus.FeatureScore> features = new ArrayList<>();
    for (PodDriftReport.Feature f : full) {
      Optional<DriftScores> s =
          f.numeric()
              ? DriftScores.numeric(f.baselineCounts(), f.counts(), f.binEdges(), f.baselineStd())
              : DriftScores.categorical(f.baselineCounts(), f.counts());
      OptionalDouble value = s.map(rule::score).orElse(OptionalDouble.empty());
      if (value.isPresent()) {
        scored.add(s.get());
        features.add(new DriftStatus.FeatureScore(f.name(), round(value.getAsDouble())));
      }
    }
    Optional<DriftScores> overall = DriftScores.overall(scored);
    OptionalDouble score = overall.map(rule::score).orElse(OptionalDouble.empty());
    if (score.isEmpty()) {
      return unknown(
          status,
          Reason.DRIFT_UNAVAILABLE,
          "method %s applies to none of the features with a full window (ks and wasserstein"
                  .formatted(spec.method)
              + " need numeric features)");
    }
    status.score = round(score.getAsDouble());
    status.worstFeatures =
        features.stream()
            .sorted(
                Comparator.comparingDouble((DriftStatus.FeatureScore f) -> rule.severity(f.score))
                    .reversed())
            .limit(WORST)
            .toList();

    boolean wasDetected = previous.map(DriftVerdict.Condition::isTrue).orElse(false);
    int clearing = recorded.map(r -> r.clearingEvaluations).orElse(0);
    boolean detected;
    if (!wasDetected) {
      detected = rule.drifted(status.score);
      clearing = 0;
    } else if (rule.clears(status.score)) {
      clearing++;
      detected = clearing < CLEAR_AFTER;
    } else {
      detected = true;
      clearing = 0;
    }
    status.clearingEvaluations = detected && clearing > 0 ? clearing : null;
    String what =
        "%s %s on revision %d (%d samples from %d pods)"
            .formatted(
                spec.method,
                number(status.score),
                reading.revision(),
                samples,
                pooled.pods().size());
    String worst =
        "; worst: "
            + status.worstFeatures.stream()
                .map(f -> f.name + " " + number(f.score))
                .collect(Collectors.joining(", "));
    String message;
    if (!detected) {
      message =
          "%s is %s the threshold %s%s%s"
              .formatted(what, rule.within(), number(rule.threshold()), worst, left);
    } else if (rule.drifted(status.score)) {
      message =
          "%s is %s the threshold %s%s%s"
              .formatted(what, rule.beyond(), number(rule.threshold()), worst, left);
    } else {
      message =
          "%s is back %s the threshold %s; it clears after %d evaluations in a row %s %s (%d so"
                  .formatted(
                      what,
                      rule.within(),
                      number(rule.threshold()),
                      CLEAR_AFTER,
                      rule.within(),
                      number(rule.clearBound()),
                      clearing)
              + " far)"
              + worst
              + left;
    }
    return new DriftVerdict(
        Optional.of(status),
        Optional.of(
            new DriftVerdict.Condition(
                detected ? "True" : "False",
                detected ? Reason.DRIFT_DETECTED : Reason.NO_DRIFT,
                message)));
  }

  /** Whether a fresh verdict differs enough from the recorded one to be written. */
  static boolean material(
      DriftSpec spec,
      DriftRule rule,
      DriftStatus recorded,
      DriftVerdict.Condition recordedCondition,
      DriftVerdict fresh,
      Instant now) {
    DriftStatus next = fresh.status().orElseThrow();
    DriftVerdict.Condition condition = fresh.condition().orElseThrow();
    if (!condition.status().equals(recordedCondition.status())
        || !condition.reason().equals(recordedCondition.reason())
        || !Objects.equals(next.method, recorded.method)
        || !Objects.equals(next.threshold, recorded.threshold)
        || !Objects.equals(next.revision, recorded.revision)
        || !Objects.equals(next.pods, recorded.pods)
        || !Objects.equals(next.clearingEvaluations, recorded.clearingEvaluations)
        || !names(next).equals(names(recorded))) {
      return true;
    }
    if ((next.score == null) != (recorded.score == null)) {
      return true;
    }
    if (next.score != null
        && Math.abs(rule.severity(next.score) - rule.severity(recorded.score))
            >= MATERIAL_SCORE * rule.severity(rule.threshold())) {
      return true;
    }
    if (next.score == null
        && Math.abs(
                Objects.requireNonNullElse(next.samples, 0L)
                    - Objects.requireNonNullElse(recorded.samples, 0L))
            >= MATERIAL_SAMPLES * spec.window) {
      return true;
    }
    return recorded.evaluatedAt == null
        || !Instant.parse(recorded.evaluatedAt).plus(HEARTBEAT).isAfter(now);
  }

  private static List<String> names(DriftStatus s) {
    return s.worstFeatures == null ? List.of() : s.worstFeatures.stream().map(f -> f.name).toList();
  }

  private static DriftVerdict unknown(DriftStatus status, String reason, String message) {
    return new DriftVerdict(
        Optional.of(status), Optional.of(new DriftVerdict.Condition("Unknown", reason, message)));
  }

  /** Four significant digits: what a person reads, and no write for noise below them. */
  static double round(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return v;
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%.4g", v)
        .replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2")
        .replaceFirst("\\.(e|$)", "$1");
  }
}
