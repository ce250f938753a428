package dev.modelops.runtime.drift;

import dev.modelops.runtime.inference.Datatype;
import dev.modelops.runtime.inference.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the runtime records of each answered request, decided once from the baseline and the model's
 * metadata: the columns of one 2-D numeric input, one per baseline feature (the first {@link
 * #MAX_FEATURES}), and the predicted class or score of one output. Why something is not recorded is
 * said in {@code notes}.
 */
public record RecordPlan(
    Optional<String> input,
    List<BaselineFeature> features,
    Optional<String> output,
    Optional<OutputKind> outputKind,
    Optional<BaselineFeature> outputBins,
    List<String> notes) {

  /** Features past this many are not recorded: it bounds the metrics' series and the memory. */
  public static final int MAX_FEATURES = 100;

  static final Set<Datatype> NUMERIC =
      EnumSet.of(
          Datatype.FP32,
          Datatype.FP64,
          Datatype.INT8,
          Datatype.UINT8,
          Datatype.INT16,
          Datatype.INT32,
          Datatype.INT64);

  /** The predicted class (argmax of a row of scores) or the one score of a row. */
  public enum OutputKind {
    CLASS,
    SCORE
  }

  /** Score outputs without a baseline are counted in tenths of [0, 1], as probabilities are. */
  static final double[] UNIT_EDGES = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};

  public static RecordPlan of(
      Baseline baseline, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    List<String> notes = new ArrayList<>();
    int features = baseline.features().size();
    Optional<TensorSpec> input =
        inputs.stream()
            .filter(RecordPlan::twoDimensionalNumeric)
            .filter(s -> s.shape()[1] == features || s.shape()[1] == -1)
            .findFirst();
    List<BaselineFeature> recorded = List.of();
    if (input.isEmpty()) {
      notes.add(
          "inputs are not recorded: drift needs a 2-D numeric input (FP32, FP64, INT*) with one"
              + " column per baseline feature (%d); the model's inputs are %s"
                  .formatted(features, describe(inputs)));
    } else {
      recorded = baseline.features().subList(0, Math.min(features, MAX_FEATURES));
      if (features > MAX_FEATURES) {
        notes.add(
            "only the first %d of the baseline's %d features are recorded"
                .formatted(MAX_FEATURES, features));
      }
    }
    Optional<TensorSpec> output =
        recordedOutput(outputs, baseline.outputs().map(BaselineFeature::name));
    if (output.isEmpty()) {
      notes.add(
          "outputs are not recorded: that needs a numeric output of shape [batch] or [batch, n];"
              + " the model's outputs are "
              + describe(outputs));
      return new RecordPlan(
          input.map(TensorSpec::name),
          recorded,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          notes);
    }
    TensorSpec out = output.get();
    long columns = out.shape().length == 2 ? out.shape()[1] : 1;
    OutputKind kind = columns == 1 ? OutputKind.SCORE : OutputKind.CLASS;
    BaselineFeature bins =
        baseline
            .outputs()
            .orElseGet(
                () ->
                    kind == OutputKind.SCORE
                        ? new BaselineFeature.Numeric(
                            out.name(), 0, 0, 0, UNIT_EDGES, new long[UNIT_EDGES.length - 1])
                        : classes(out.name(), columns));
    if (kind == OutputKind.CLASS && columns < 0) {
      notes.add(
          "output '%s' has a free number of classes: it is not recorded".formatted(out.name()));
      return new RecordPlan(
          input.map(TensorSpec::name),
          recorded,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          notes);
    }
    return new RecordPlan(
        input.map(TensorSpec::name),
        recorded,
        Optional.of(out.name()),
        Optional.of(kind),
        Optional.of(bins),
        notes);
  }

  /** The classes 0..n-1 of a classifier without a baseline for its outputs: counts only. */
  private static BaselineFeature classes(String name, long n) {
    java.util.Map<String, Long> zero = new java.util.LinkedHashMap<>();
    for (long c = 0; c < Math.max(n, 0); c++) {
      zero.put(Long.toString(c), 0L);
    }
    return new BaselineFeature.Categorical(name, zero);
  }

  /**
   * The output whose predictions are recorded: the one {@code named}, else the model's first, when
   * it is numeric of shape [batch] or [batch, n].
   */
  static Optional<TensorSpec> recordedOutput(List<TensorSpec> outputs, Optional<String> named) {
    return outputs.stream()
        .filter(s -> named.map(n -> n.equals(s.name())).orElse(false))
        .findFirst()
        .or(() -> outputs.stream().findFirst())
        .filter(RecordPlan::perRowNumeric);
  }

  private static boolean twoDimensionalNumeric(TensorSpec s) {
    return NUMERIC.contains(s.datatype()) && s.shape().length == 2 && s.hasBatchDimension();
  }

  private static boolean perRowNumeric(TensorSpec s) {
    return NUMERIC.contains(s.datatype())
        && s.hasBatchDimension()
        && (s.shape().length == 1 || s.shape().length == 2);
  }

  private static String describe(List<TensorSpec> specs) {
    return specs.stream()
        .map(s -> "%s %s %s".formatted(s.name(), s.datatype(), Arrays.toString(s.shape())))
        .collect(Collectors.joining(", "));
  }

  /** Values of a row that are recorded: one per recorded feature, and one for the output. */
  public int width() {
    return features.size() + (output.isPresent() ? 1 : 0);
  }
}
