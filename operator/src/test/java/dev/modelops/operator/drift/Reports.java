package dev.modelops.operator.drift;

import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/** Drift reports as the runtime writes them, for the tests: x0 and x1 over four bins. */
final class Reports {

  static final String EDGES = "[-1.0, 0.0, 1.0, 2.0]";
  static final String BASELINE = "[0, 100, 100, 100, 0]";

  private Reports() {}

  /** A pod's report with one window of counts per feature (numeric, over {@link #EDGES}). */
  static PodDriftReport pod(String name, long[]... counts) {
    return pod(name, EDGES, counts);
  }

  static PodDriftReport pod(String name, String edges, long[]... counts) {
    String features =
        java.util.stream.IntStream.range(0, counts.length)
            .mapToObj(i -> feature("x" + i, edges, counts[i]))
            .collect(Collectors.joining(","));
    return PodDriftReport.parse(
        name,
        "{\"model\":\"mlp\",\"enabled\":true,\"window\":200,\"features\":[" + features + "]}");
  }

  static String feature(String name, String edges, long[] counts) {
    long samples = LongStream.of(counts).sum();
    return String.format(
        Locale.ROOT,
        "{\"name\":\"%s\",\"type\":\"numeric\",\"samples\":%d,\"windowFull\":%b,"
            + "\"binEdges\":%s,\"counts\":%s,\"baselineCounts\":%s,\"baselineStd\":0.8,"
            + "\"psi\":0.5}",
        name,
        samples,
        samples >= 200,
        edges,
        list(counts),
        BASELINE);
  }

  static String list(long[] counts) {
    return LongStream.of(counts)
        .mapToObj(Long::toString)
        .collect(Collectors.joining(",", "[", "]"));
  }

  static PodDriftReport off(String name) {
    return PodDriftReport.parse(
        name,
        "{\"model\":\"mlp\",\"enabled\":false,\"window\":5000,"
            + "\"reason\":\"drift is off: MODELOPS_BASELINE is not set\"}");
  }
}
