package dev.modelops.operator.analysis;

import static dev.modelops.operator.analysis.LatencyBucketsTest.INF;
import static dev.modelops.operator.analysis.LatencyBucketsTest.buckets;
import static dev.modelops.operator.analysis.PodSampleTest.scrape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MeasurementTest {

  /** A pod that answered every request within 0.1 s, with the given count of server errors. */
  static PodSample fast(double requests, double errors) {
    return new PodSample(requests, errors, buckets(0.1, requests, 1, requests, INF, requests));
  }

  @Test
  void addsUpEachPodsGrowth() {
    Measurement m =
        Measurement.between(
            Map.of("a", fast(100, 1), "b", fast(50, 0)),
            Map.of("a", fast(160, 4), "b", fast(90, 0)));
    assertThat(m.requests()).isEqualTo(100);
    assertThat(m.errors()).isEqualTo(3);
    assertThat(m.errorRate()).hasValue(0.03);
  }

  @Test
  void aPodMissingAtTheStartCountsFromZero() {
    Measurement m =
        Measurement.between(
            Map.of("a", fast(100, 0)), Map.of("a", fast(110, 0), "new", fast(30, 3)));
    assertThat(m.requests()).isEqualTo(40);
    assertThat(m.errors()).isEqualTo(3);
  }

  @Test
  void aPodWhoseCounterWentDownRestartedAndCountsItsEndValue() {
    Measurement m = Measurement.between(Map.of("a", fast(1000, 10)), Map.of("a", fast(25, 5)));
    assertThat(m.requests()).isEqualTo(25);
    assertThat(m.errors()).isEqualTo(5);
  }

  @Test
  void aRestartSeenInOneCounterResetsThePodsOthersToo() {
    // The error counter went down: the process restarted, so its 1,200 requests are all new.
    Measurement m = Measurement.between(Map.of("a", fast(1000, 10)), Map.of("a", fast(1200, 2)));
    assertThat(m.requests()).isEqualTo(1200);
    assertThat(m.errors()).isEqualTo(2);
  }

  @Test
  void aPodMissingAtTheEndIsLeftOut() {
    Measurement m =
        Measurement.between(
            Map.of("a", fast(100, 0), "gone", fast(500, 50)), Map.of("a", fast(120, 1)));
    assertThat(m.requests()).isEqualTo(20);
    assertThat(m.errors()).isEqualTo(1);
  }

  @Test
  void noRequestsHaveNoErrorRateAndNoLatency() {
    Measurement m = Measurement.between(Map.of("a", fast(100, 1)), Map.of("a", fast(100, 1)));
    assertThat(m.requests()).isZero();
    assertThat(m.errorRate()).isEmpty();
    assertThat(m.latencyP99()).isEmpty();
    assertThat(Measurement.between(Map.of(), Map.of()).errorRate()).isEmpty();
  }

  @Test
  void latencyIsTheP99OfTheSummedBucketGrowth() {
    // 100 requests in the interval: 90 within 0.1 s (pod a), 10 between 0.1 s and 0.2 s (pod b).
    // Rank 99 is the 9th of pod b's 10: 0.1 + 0.1 * 9 / 10.
    PodSample aStart = new PodSample(1000, 0, buckets(0.1, 1000, 0.2, 1000, INF, 1000));
    PodSample aEnd = new PodSample(1090, 0, buckets(0.1, 1090, 0.2, 1090, INF, 1090));
    PodSample bEnd = new PodSample(10, 0, buckets(0.1, 0, 0.2, 10, INF, 10));
    Measurement m = Measurement.between(Map.of("a", aStart), Map.of("a", aEnd, "b", bEnd));
    assertThat(m.latencyP99().getAsDouble()).isCloseTo(0.19, within(1e-12));
  }

  @Test
  void aP99InTheInfBucketIsTheHighestFiniteBound() {
    PodSample slow = new PodSample(10, 0, buckets(0.1, 0, 10, 0, INF, 10));
    assertThat(Measurement.between(Map.of(), Map.of("a", slow)).latencyP99()).hasValue(10.0);
  }

  @Test
  void measuresTheRuntimesRealScrapes() {
    Measurement m =
        Measurement.between(
            Map.of("iris-7d9f8c-abcde", PodSample.parse(scrape(PodSampleTest.START))),
            Map.of("iris-7d9f8c-abcde", PodSample.parse(scrape(PodSampleTest.END))));
    assertThat(m.requests()).isEqualTo(49);
    assertThat(m.errors()).isEqualTo(6);
    assertThat(m.errorRate().getAsDouble()).isCloseTo(6.0 / 49, within(1e-12));
    // As histogram_quantile(0.99, ...) computes it from the same bucket growth: rank 48.51 falls
    // in (0.027962026, 0.033554431], which holds the 49th request alone.
    assertThat(m.latencyP99().getAsDouble()).isCloseTo(0.03081415255, within(1e-9));
  }

  @Test
  void predictionsAreEachPodsGrowthByBinAndARestartedPodCountsFromZero() {
    PodSample aStart = new PodSample(10, 0, LatencyBuckets.NONE, Map.of("0", 6.0, "1", 4.0));
    PodSample aEnd = new PodSample(25, 0, LatencyBuckets.NONE, Map.of("0", 16.0, "1", 9.0));
    PodSample bStart = new PodSample(50, 0, LatencyBuckets.NONE, Map.of("0", 50.0));
    PodSample bRestarted = new PodSample(7, 0, LatencyBuckets.NONE, Map.of("0", 2.0, "2", 5.0));
    Measurement m =
        Measurement.between(Map.of("a", aStart, "b", bStart), Map.of("a", aEnd, "b", bRestarted));
    assertThat(m.predictions().counts())
        .containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("0", 12L, "1", 5L, "2", 5L)));
    assertThat(m.predictions().total()).isEqualTo(22);
  }
}
