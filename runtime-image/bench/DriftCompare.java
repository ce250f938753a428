package dev.modelops.runtime.drift;

import dev.modelops.drift.DriftScores;
import dev.modelops.operator.api.v1alpha1.DriftSpec;
import dev.modelops.operator.drift.DriftRule;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * modelops' side of bench/drift_compare.py (not a test): a stream's rows go through the runtime's
 * own sliding windows (FeatureWindow, one per feature of a baseline file written by the baseline
 * command), each evaluation scores the windows and their overall as the runtime and the operator
 * do (BaselineFeature.scores, DriftScores.overall), and each method decides with the operator's
 * own rule at its default threshold (DriftRule, DriftSpec.thresholdOrDefault). Compiled into the
 * runtime's package by bench/drift_compare.sh (FeatureWindow is package-private).
 *
 * <p>usage: DriftCompare JOBS OUT [METHOD=THRESHOLD...]; each line of JOBS is "name baseline.json
 * stream.npy window step first": evaluate the window ending at row first (at least window), then
 * every step rows. OUT starts with "# rules" and the rules' names: the four methods at their
 * default thresholds, then the extra METHOD=THRESHOLD ones. Each evaluation is a line of OUT: name,
 * end row, the overall psi, KS p-value, Jensen-Shannon and Wasserstein, whether each rule says
 * drift (0/1), and the nanoseconds spent on the step's rows and the scoring.
 */
public final class DriftCompare {

  static final List<DriftSpec.Method> METHODS =
      List.of(
          DriftSpec.Method.psi,
          DriftSpec.Method.ks,
          DriftSpec.Method.jensenShannon,
          DriftSpec.Method.wasserstein);

  public static void main(String[] args) throws Exception {
    List<DriftRule> rules = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (DriftSpec.Method method : METHODS) {
      DriftSpec spec = new DriftSpec();
      spec.method = method;
      rules.add(DriftRule.of(spec));
      names.add(method.name());
    }
    for (int i = 2; i < args.length; i++) {
      String[] rule = args[i].split("=");
      rules.add(new DriftRule(DriftSpec.Method.valueOf(rule[0]), Double.parseDouble(rule[1])));
      names.add(args[i]);
    }
    try (PrintStream out = new PrintStream(Files.newOutputStream(Path.of(args[1])))) {
      out.println("# rules " + String.join(" ", names));
      for (String line : Files.readAllLines(Path.of(args[0]))) {
        if (!line.isBlank()) {
          run(line.trim().split("\\s+"), rules, out);
        }
      }
    }
  }

  private static void run(String[] job, List<DriftRule> rules, PrintStream out) throws Exception {
    String name = job[0];
    Baseline baseline = BaselineFile.read(Path.of(job[1]));
    NpyTable stream = NpyTable.read(Path.of(job[2]));
    int window = Integer.parseInt(job[3]);
    int step = Integer.parseInt(job[4]);
    int first = Integer.parseInt(job[5]);
    List<BaselineFeature> features = baseline.features();
    double[][] columns = new double[features.size()][];
    FeatureWindow[] windows = new FeatureWindow[features.size()];
    for (int f = 0; f < features.size(); f++) {
      columns[f] = stream.numbers(stream.columns().get(f));
      windows[f] = new FeatureWindow(features.get(f), window);
    }
    int rows = columns[0].length;
    int added = 0;
    for (int end = first; end <= rows; end += step) {
      long start = System.nanoTime();
      for (; added < end; added++) {
        for (int f = 0; f < windows.length; f++) {
          windows[f].add(columns[f][added]);
        }
      }
      List<DriftScores> scores = new ArrayList<>();
      for (FeatureWindow w : windows) {
        if (w.full()) {
          w.feature().scores(w.counts()).ifPresent(scores::add);
        }
      }
      DriftScores overall = DriftScores.overall(scores).orElseThrow();
      StringBuilder flags = new StringBuilder();
      for (DriftRule rule : rules) {
        boolean drifted = rule.drifted(rule.score(overall).orElseThrow());
        flags.append(drifted ? " 1" : " 0");
      }
      long nanos = System.nanoTime() - start;
      out.printf(
          Locale.ROOT,
          "%s %d %.6g %.6g %.6g %.6g%s %d%n",
          name,
          end,
          overall.psi(),
          overall.ks().orElseThrow().pValue(),
          overall.jensenShannon(),
          overall.wasserstein().orElseThrow(),
          flags,
          nanos);
    }
  }
}
