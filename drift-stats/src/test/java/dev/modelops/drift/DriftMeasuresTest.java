package dev.modelops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.DoubleStream;
import java.util.stream.StreamSupport;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The drift measures against reference values: SciPy's two-sample KS and Wasserstein distance on
 * raw samples (binned with one bin per distinct value, where the binned measures are exact) and its
 * Jensen-Shannon distance, from runtime-image/models/make_drift_fixtures.py; PSI against sums
 * worked out by hand.
 */
class DriftMeasuresTest {

  static final JsonNode REFERENCE = read("src/test/resources/drift/reference.json");

  static JsonNode read(String path) {
    try {
      return new ObjectMapper().readTree(Path.of(path).toFile());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static double[] doubles(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false)
        .mapToDouble(JsonNode::doubleValue)
        .toArray();
  }

  static long[] longs(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false)
        .mapToLong(JsonNode::longValue)
        .toArray();
  }

  /** Edges at every distinct value of both samples, and one past the largest. */
  static double[] edgesAtEveryValue(double[] a, double[] b) {
    double[] values =
        DoubleStream.concat(DoubleStream.of(a), DoubleStream.of(b)).sorted().distinct().toArray();
    return DoubleStream.concat(
            DoubleStream.of(values), DoubleStream.of(values[values.length - 1] + 1))
        .toArray();
  }

  static long[] histogram(double[] edges, double[] values) {
    long[] counts = new long[edges.length + 1];
    for (double v : values) {
      counts[bin(edges, v)]++;
    }
    return counts;
  }

  /** The runtime's bins: underflow, [e(i-1), e(i)) for i in 1..k with the last closed, overflow. */
  static int bin(double[] edges, double value) {
    int k = edges.length - 1;
    if (value < edges[0]) {
      return 0;
    }
    if (value > edges[k]) {
      return k + 1;
    }
    int at = java.util.Arrays.binarySearch(edges, value);
    return at >= 0 ? Math.min(at + 1, k) : -at - 1;
  }

  @Test
  void ksAndWassersteinMatchScipyOnRawSamples() {
    assertThat(REFERENCE.get("twoSample")).hasSize(4);
    for (JsonNode c : REFERENCE.get("twoSample")) {
      double[] a = doubles(c.get("a"));
      double[] b = doubles(c.get("b"));
      double[] edges = edgesAtEveryValue(a, b);
      long[] ha = histogram(edges, a);
      long[] hb = histogram(edges, b);
      DriftMeasures.Ks ks = DriftMeasures.ks(ha, hb);
      String name = c.get("name").textValue();
      assertThat(ks.statistic())
          .as(name)
          .isCloseTo(c.get("ksStatistic").doubleValue(), within(1e-12));
      double p = c.get("ksPValue").doubleValue();
      // SciPy computes the Kolmogorov distribution exactly where Hipparchus uses Pelz-Good's
      // expansion (effective sizes over 140): they agree to a few parts in a thousand, in the
      // far tail too.
      assertThat(ks.pValue()).as(name).isCloseTo(p, within(p * 5e-3));
      assertThat(DriftMeasures.wasserstein(ha, hb, edges))
          .as(name)
          .isCloseTo(c.get("wasserstein").doubleValue(), within(1e-9));
      // Symmetric, as the measures are.
      assertThat(DriftMeasures.ks(hb, ha).statistic()).isEqualTo(ks.statistic());
    }
  }

  @Test
  void jensenShannonMatchesScipy() {
    for (JsonNode c : REFERENCE.get("jensenShannon")) {
      assertThat(DriftMeasures.jensenShannon(longs(c.get("a")), longs(c.get("b"))))
          .as(c.toString())
          .isCloseTo(c.get("jensenShannon").doubleValue(), within(1e-12));
    }
  }

  @Test
  void psiWorkedOutByHand() {
    // 50/50 against 25/75: (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5).
    assertThat(DriftMeasures.psi(new long[] {50, 50}, new long[] {25, 75}))
        .isCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), Offset.offset(1e-12))
        .isCloseTo(0.2746530722, Offset.offset(1e-9));
    // An empty baseline bin counts as a proportion of 1e-4: (0.5 - 1) ln(0.5 / 1) + (0.5 - 1e-4)
    // ln(0.5 / 1e-4).
    assertThat(DriftMeasures.psi(new long[] {100, 0}, new long[] {5, 5}))
        .isCloseTo(0.5 * Math.log(2) + 0.4999 * Math.log(5000), Offset.offset(1e-12));
    // Proportions, not counts, matter: a baseline of 10x the window's size.
    assertThat(DriftMeasures.psi(new long[] {1000, 3000, 6000}, new long[] {100, 300, 600}))
        .isZero();
  }

  @Test
  void ksPValueAtTheEdges() {
    assertThat(DriftMeasures.ks(new long[] {0, 5, 5, 0}, new long[] {0, 50, 50, 0}).pValue())
        .isEqualTo(1);
    assertThat(DriftMeasures.ksPValue(0.5, 5000, 5000)).isZero();
    // Small samples: the exact distribution, scipy.stats.kstwo.sf(0.3, 10).
    assertThat(DriftMeasures.ksPValue(0.3, 20, 20)).isCloseTo(0.2705355748, within(1e-9));
  }
}
