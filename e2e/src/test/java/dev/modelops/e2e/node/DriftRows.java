package dev.modelops.e2e.node;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Inference requests for the test MLP whose inputs follow mlp-baseline.json's distribution (four
 * standard normal features), with x2 moved by a shift: the live traffic of the drift tests. And
 * labelled rows of the shifted distribution: the recent data a retraining Job learns from.
 */
final class DriftRows {

  private DriftRows() {}

  /** A V2 request of 20 rows of the four features, x2 moved by {@code shift}. */
  static String body(double shift) {
    return body(rows(shift, 20));
  }

  /** {@code n} rows of the four features, x2 moved by {@code shift}, to 4 decimals. */
  static List<double[]> rows(double shift, int n) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return IntStream.range(0, n)
        .mapToObj(
            i ->
                new double[] {
                  round(random.nextGaussian()),
                  round(random.nextGaussian()),
                  round(random.nextGaussian() + shift),
                  round(random.nextGaussian())
                })
        .toList();
  }

  /** A V2 request of these rows. */
  static String body(List<double[]> rows) {
    String data =
        rows.stream()
            .map(r -> String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%.4f", r[0], r[1], r[2], r[3]))
            .collect(Collectors.joining(","));
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":["
        + rows.size()
        + ",4],\"datatype\":\"FP32\",\"data\":["
        + data
        + "]}]}";
  }

  /**
   * The class of a row in the world after the drift by {@code shift}: which of x0, x1 and x2 -
   * shift is the largest. A linear model learns it; the test MLP (random weights) agrees with it on
   * about 38% of shifted rows.
   */
  static int label(double[] row, double shift) {
    double[] scores = {row[0], row[1], row[2] - shift};
    int best = 0;
    for (int c = 1; c < scores.length; c++) {
      if (scores[c] > scores[best]) {
        best = c;
      }
    }
    return best;
  }

  /** Labelled rows as a CSV file with the header x0,x1,x2,x3,label: a trainer's recent data. */
  static String labelledCsv(List<double[]> rows, double shift) {
    return rows.stream()
        .map(
            r ->
                String.format(
                    Locale.ROOT, "%.4f,%.4f,%.4f,%.4f,%d", r[0], r[1], r[2], r[3], label(r, shift)))
        .collect(Collectors.joining("\n", "x0,x1,x2,x3,label\n", "\n"));
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
