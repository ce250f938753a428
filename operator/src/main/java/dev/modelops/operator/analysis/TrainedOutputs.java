package dev.modelops.operator.analysis;

import dev.modelops.operator.drift.PodDriftReport;
import dev.modelops.operator.drift.PodDriftReport.Feature;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A revision's recent predictions beside the labels of the data it learnt: its pods' drift windows
 * of the model's output, added up, and the output distribution its baseline gives (a trainer writes
 * its training labels there, as {@code examples/trainer} does).
 *
 * @param predicted the predictions in the pods' windows (the last {@code spec.drift.window} rows of
 *     each), by class or bin
 * @param labels the baseline's outputs over the same classes or bins
 * @param pods the pods whose windows are added up
 */
public record TrainedOutputs(Predictions predicted, Predictions labels, int pods) {

  /**
   * From the pods' drift reports: empty when no pod's baseline describes the outputs. A pod whose
   * bins differ from the first one's (another baseline) is left out.
   */
  public static Optional<TrainedOutputs> of(List<PodDriftReport> reports) {
    Feature sum = null;
    int pods = 0;
    for (PodDriftReport report : reports) {
      Optional<Feature> outputs = report.outputs();
      if (outputs.isEmpty() || (sum != null && !sum.sameBins(outputs.get()))) {
        continue;
      }
      sum = sum == null ? outputs.get() : sum.plus(outputs.get());
      pods++;
    }
    if (sum == null) {
      return Optional.empty();
    }
    TreeMap<String, Long> predicted = new TreeMap<>();
    TreeMap<String, Long> labels = new TreeMap<>();
    for (int i = 0; i < sum.counts().length; i++) {
      String bin = sum.numeric() ? "bin" + i : sum.labels().get(i);
      predicted.put(bin, sum.counts()[i]);
      labels.put(bin, sum.baselineCounts()[i]);
    }
    return Optional.of(
        new TrainedOutputs(new Predictions(predicted), new Predictions(labels), pods));
  }
}
