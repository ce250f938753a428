package dev.modelops.e2e.node;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Inference requests for the test MLP whose inputs follow mlp-baseline.json's distribution (four
 * standard normal features), with x2 moved by a shift: the live traffic of the drift tests.
 */
final class DriftRows {

  private DriftRows() {}

  /** A V2 request of 20 rows of the four features, x2 moved by {@code shift}. */
  static String body(double shift) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String rows =
        IntStream.range(0, 20)
            .mapToObj(
                i ->
                    String.format(
                        Locale.ROOT,
                        "%.4f,%.4f,%.4f,%.4f",
                        random.nextGaussian(),
                        random.nextGaussian(),
                        random.nextGaussian() + shift,
                        random.nextGaussian()))
            .collect(Collectors.joining(","));
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":[20,4],\"datatype\":\"FP32\",\"data\":["
        + rows
        + "]}]}";
  }
}
