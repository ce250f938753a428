package dev.modelops.operator.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PodSampleTest {

  /**
   * Real scrapes of /q/metrics from the packaged runtime serving runtime-image's failing.onnx as
   * model iris, revision iris-7d9f8c. Before the start scrape: 12 good requests, 4 model errors, 2
   * bad requests and 1 for another model (not_found). Before the end scrape, on top: 40 good, 5
   * model errors and 1 bad request as JSON, then 2 good and 1 model error in the binary protocol.
   */
  static String scrape(String name) {
    try (InputStream in = PodSampleTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final String START = "runtime-metrics-start.txt";
  static final String END = "runtime-metrics-end.txt";

  @Test
  void readsARealScrapeOfTheRuntime() {
    PodSample start = PodSample.parse(scrape(START));
    assertThat(start.requests()).isEqualTo(19);
    assertThat(start.serverErrors()).isEqualTo(4);

    PodSample end = PodSample.parse(scrape(END));
    assertThat(end.requests()).isEqualTo(68);
    assertThat(end.serverErrors()).isEqualTo(10);
    // Micrometer's percentile histogram: 80 bounds from 50 µs to 10 s, then +Inf, which counts
    // every request.
    assertThat(end.latency().cumulative()).hasSize(81);
    assertThat(end.latency().cumulative().firstKey()).isEqualTo(5.0e-5);
    assertThat(end.latency().cumulative().lastEntry().getKey()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(end.latency().cumulative().lastEntry().getValue()).isEqualTo(68);
    assertThat(end.latency().cumulative()).containsEntry(0.001048576, 1.0);
  }

  @Test
  void countsOnlyServerSideOutcomesAsErrors() {
    String text =
        """
        modelops_inference_requests_total{model="m",outcome="success",protocol="json",revision="1"} 100.0
        modelops_inference_requests_total{model="m",outcome="bad_request",protocol="json",revision="1"} 20.0
        modelops_inference_requests_total{model="m",outcome="not_found",protocol="json",revision="1"} 10.0
        modelops_inference_requests_total{model="m",outcome="too_large",protocol="json",revision="1"} 5.0
        modelops_inference_requests_total{model="m",outcome="internal",protocol="json",revision="1"} 1.0
        modelops_inference_requests_total{model="m",outcome="model_error",protocol="json",revision="1"} 2.0
        modelops_inference_requests_total{model="m",outcome="not_ready",protocol="binary",revision="1"} 3.0
        modelops_inference_requests_total{model="m",outcome="unauthorized",protocol="json",revision="1"} 7.0
        """;
    PodSample sample = PodSample.parse(text);
    assertThat(sample.requests()).isEqualTo(148);
    assertThat(sample.serverErrors()).isEqualTo(6);
  }

  @Test
  void sumsTheSeriesOfEachProtocol() {
    String text =
        """
        modelops_inference_requests_total{model="m",outcome="success",protocol="json",revision="1"} 3
        modelops_inference_requests_total{model="m",outcome="success",protocol="binary",revision="1"} 4
        modelops_inference_request_duration_seconds_bucket{model="m",revision="1",le="0.1"} 2
        modelops_inference_request_duration_seconds_bucket{model="m",revision="1",le="+Inf"} 7
        """;
    PodSample sample = PodSample.parse(text);
    assertThat(sample.requests()).isEqualTo(7);
    assertThat(sample.latency().cumulative())
        .containsEntry(0.1, 2.0)
        .containsEntry(Double.POSITIVE_INFINITY, 7.0);
  }

  @Test
  void labelValuesWithQuotesAndCommasAreStillCounted() {
    String text =
        """
        modelops_inference_requests_total{model="a \\"b\\", c",outcome="model_error",protocol="json",revision="1"} 2
        """;
    assertThat(PodSample.parse(text).serverErrors()).isEqualTo(2);
  }

  @Test
  void skipsMalformedLinesAndValuesThatAreNotCounts() {
    String text =
        """
        # TYPE modelops_inference_requests_total counter
        modelops_inference_requests_total{outcome="success"} 5
        modelops_inference_requests_total{outcome="success" 7
        modelops_inference_requests_total{outcome="success"} seven
        modelops_inference_requests_total{outcome="model_error"} NaN
        modelops_inference_requests_total{outcome="model_error"} +Inf
        modelops_inference_requests_total{outcome="model_error"} -1
        modelops_inference_request_duration_seconds_bucket{le="NaN"} 1
        modelops_inference_request_duration_seconds_bucket{le="0.5"} 5
        modelops_inference_request_duration_seconds_bucket{} 5
        \u0000garbage{{{
        """;
    PodSample sample = PodSample.parse(text);
    assertThat(sample.requests()).isEqualTo(5);
    assertThat(sample.serverErrors()).isZero();
    assertThat(sample.latency().cumulative()).containsOnlyKeys(0.5);
  }

  @Test
  void aScrapeWithoutTheRuntimesMetricsIsAPodThatAnsweredNothing() {
    assertThat(PodSample.parse("")).isEqualTo(PodSample.NONE);
    assertThat(PodSample.parse("<html>502 Bad Gateway</html>")).isEqualTo(PodSample.NONE);
  }

  @Test
  void restartedWhenAnyCounterWentDown() {
    PodSample earlier = PodSample.parse(scrape(END));
    assertThat(PodSample.parse(scrape(END)).restartedSince(earlier)).isFalse();
    assertThat(PodSample.parse(scrape(END)).restartedSince(PodSample.parse(scrape(START))))
        .isFalse();
    assertThat(PodSample.parse(scrape(START)).restartedSince(earlier)).isTrue();
    assertThat(new PodSample(100, 10, earlier.latency()).restartedSince(earlier)).isFalse();
    assertThat(new PodSample(100, 9, earlier.latency()).restartedSince(earlier)).isTrue();
    assertThat(new PodSample(100, 10, LatencyBuckets.NONE).restartedSince(earlier)).isTrue();
  }

  @Test
  void readsThePredictionsByBinSummedOverOutputs() {
    // As the runtime writes them (PredictionCountsTest's scrape of the test MLP).
    String text =
        """
        modelops_inference_predictions_total{bin="0",model="mlp",output="output",revision="0"} 3.0
        modelops_inference_predictions_total{bin="1",model="mlp",output="output",revision="0"} 0.0
        modelops_inference_predictions_total{bin="2",model="mlp",output="output",revision="0"} 2.0
        modelops_inference_predictions_total{bin="2",model="mlp",output="other",revision="0"} 1.0
        modelops_inference_predictions_total{model="mlp",output="output",revision="0"} 9.0
        modelops_inference_predictions_total{bin="1",model="mlp",output="output",revision="0"} NaN
        """;
    assertThat(PodSample.parse(text).predictions())
        .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("0", 3.0, "1", 0.0, "2", 3.0));
  }

  @Test
  void restartedWhenAPredictionCountWentDown() {
    LatencyBuckets none = LatencyBuckets.NONE;
    PodSample earlier = new PodSample(10, 0, none, java.util.Map.of("0", 6.0, "1", 4.0));
    assertThat(
            new PodSample(10, 0, none, java.util.Map.of("0", 6.0, "1", 4.0))
                .restartedSince(earlier))
        .isFalse();
    assertThat(
            new PodSample(10, 0, none, java.util.Map.of("0", 6.0, "1", 3.0))
                .restartedSince(earlier))
        .isTrue();
    assertThat(new PodSample(10, 0, none, java.util.Map.of("0", 10.0)).restartedSince(earlier))
        .isTrue();
  }
}
