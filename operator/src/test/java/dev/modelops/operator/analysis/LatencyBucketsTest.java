package dev.modelops.operator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LatencyBucketsTest {

  static final double INF = Double.POSITIVE_INFINITY;

  static LatencyBuckets buckets(double... boundsAndCounts) {
    TreeMap<Double, Double> map = new TreeMap<>();
    for (int i = 0; i < boundsAndCounts.length; i += 2) {
      map.put(boundsAndCounts[i], boundsAndCounts[i + 1]);
    }
    return new LatencyBuckets(map);
  }

  @Test
  void interpolatesLinearlyInsideTheBucketThatHoldsTheQuantile() {
    // Rank 0.99 * 20 = 19.8: the 9.8th of the 10 requests between 0.1 and 0.2 seconds.
    assertThat(buckets(0.1, 10, 0.2, 20, INF, 20).quantile(0.99).getAsDouble())
        .isCloseTo(0.198, within(1e-12));
    assertThat(buckets(0.1, 10, 0.2, 20, INF, 20).quantile(0.5).getAsDouble())
        .isCloseTo(0.1, within(1e-12));
  }

  @Test
  void theFirstBucketStartsAtZero() {
    assertThat(buckets(0.1, 100, INF, 100).quantile(0.99).getAsDouble())
        .isCloseTo(0.099, within(1e-12));
  }

  @Test
  void aQuantileInTheInfBucketIsTheHighestFiniteBound() {
    assertThat(buckets(0.1, 10, 0.2, 50, INF, 100).quantile(0.99)).hasValue(0.2);
  }

  @Test
  void emptyWithoutRequestsOrWithoutAnInfBucket() {
    assertThat(LatencyBuckets.NONE.quantile(0.99)).isEmpty();
    assertThat(buckets(0.1, 0, 0.2, 0, INF, 0).quantile(0.99)).isEmpty();
    assertThat(buckets(0.1, 10, 0.2, 20).quantile(0.99)).isEmpty();
    assertThat(buckets(INF, 20).quantile(0.99)).isEmpty();
  }

  @Test
  void aBucketBelowTheOneUnderItCountsAsThatOne() {
    // Read mid-update: 0.2 shows fewer than 0.1. As histogram_quantile, take 0.2 as 10 too.
    assertThat(buckets(0.1, 10, 0.2, 9, 0.3, 20, INF, 20).quantile(0.99).getAsDouble())
        .isCloseTo(0.298, within(1e-12));
  }

  @Test
  void minusCountsWhatEachBucketGained() {
    LatencyBuckets delta =
        buckets(0.1, 15, 0.2, 30, INF, 31).minus(buckets(0.1, 5, 0.2, 10, INF, 10));
    assertThat(delta.cumulative())
        .containsExactly(entry(0.1, 10.0), entry(0.2, 20.0), entry(INF, 21.0));
  }

  @Test
  void plusAddsHistogramsWithDifferentBoundsAtTheHighestBoundBelow() {
    LatencyBuckets sum = buckets(0.1, 1, INF, 2).plus(buckets(0.05, 3, 0.2, 4, INF, 4));
    // At 0.1 the second histogram counts at least its 3 requests up to 0.05.
    assertThat(sum.cumulative()).containsEntry(0.05, 3.0).containsEntry(0.1, 4.0);
    assertThat(sum.cumulative()).containsEntry(0.2, 5.0).containsEntry(INF, 6.0);
  }

  @Test
  void fellBelowWhenAnyBucketCountsLess() {
    LatencyBuckets earlier = buckets(0.1, 5, INF, 10);
    assertThat(buckets(0.1, 5, INF, 11).fellBelow(earlier)).isFalse();
    assertThat(buckets(0.1, 4, INF, 11).fellBelow(earlier)).isTrue();
    assertThat(LatencyBuckets.NONE.fellBelow(earlier)).isTrue();
    assertThat(earlier.fellBelow(LatencyBuckets.NONE)).isFalse();
  }
}
