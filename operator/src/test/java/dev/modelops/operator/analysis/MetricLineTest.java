package dev.modelops.operator.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricLineTest {

  static MetricLine line(String text) {
    return MetricLine.parse(text).orElseThrow();
  }

  @Test
  void readsNameLabelsAndValue() {
    MetricLine line =
        line(
            "modelops_inference_requests_total{model=\"iris\",outcome=\"success\",protocol=\"json\","
                + "revision=\"iris-7d9f8c\"} 52.0");
    assertThat(line.name()).isEqualTo("modelops_inference_requests_total");
    assertThat(line.labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "model",
                "iris",
                "outcome",
                "success",
                "protocol",
                "json",
                "revision",
                "iris-7d9f8c"));
    assertThat(line.value()).isEqualTo(52.0);
  }

  @Test
  void readsALineWithoutLabels() {
    MetricLine line = line("process_cpu_time_ns_total 4.77E9");
    assertThat(line.labels()).isEmpty();
    assertThat(line.value()).isEqualTo(4.77e9);
  }

  @Test
  void labelValuesKeepEscapedQuotesBackslashesNewlinesAndCommas() {
    MetricLine line =
        line("m{model=\"say \\\"hi\\\", then go\",path=\"C:\\\\models\",note=\"a\\nb\"} 1");
    assertThat(line.labels())
        .containsEntry("model", "say \"hi\", then go")
        .containsEntry("path", "C:\\models")
        .containsEntry("note", "a\nb");
  }

  @Test
  void labelValuesMayHoldBracesSpacesAndEquals() {
    assertThat(line("m{a=\"} x=1 {\"} 2").labels()).containsEntry("a", "} x=1 {");
  }

  @Test
  void toleratesATrailingCommaEmptyBracesAndBlanksAroundLabels() {
    assertThat(line("m{a=\"1\",} 1").labels()).containsEntry("a", "1");
    assertThat(line("m{} 1").labels()).isEmpty();
    assertThat(line("m { a = \"1\" , b=\"2\" }\t3").labels()).containsOnlyKeys("a", "b");
  }

  @Test
  void readsExponentsNaNAndInfinities() {
    assertThat(line("m 5.0E-5").value()).isEqualTo(5.0e-5);
    assertThat(line("m 1.8900723827541783E-4").value()).isEqualTo(1.8900723827541783e-4);
    assertThat(line("m -2e+3").value()).isEqualTo(-2000);
    assertThat(line("m .5").value()).isEqualTo(0.5);
    assertThat(line("m NaN").value()).isNaN();
    assertThat(line("m +Inf").value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(line("m -Inf").value()).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void ignoresATimestampAndAnExemplar() {
    assertThat(line("m{a=\"1\"} 7 1700000000000").value()).isEqualTo(7);
    assertThat(line("m_bucket{le=\"0.1\"} 7 # {trace_id=\"abc\"} 0.05 1700000000.1").value())
        .isEqualTo(7);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "# HELP modelops_inference_requests_total Inference requests answered",
        "# TYPE modelops_inference_requests_total counter",
        "# a comment with a sample in it: m 1",
      })
  void commentsAndBlankLinesHoldNoSample(String text) {
    assertThat(MetricLine.parse(text)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "m",
        "m{a=\"1\"}",
        "m{a=\"1\"}1",
        "m 1.0f",
        "m 0x1p3",
        "m 12abc",
        "m one",
        "m 1 2 3",
        "m 1 not-a-timestamp",
        "m{a=\"unterminated} 1",
        "m{a=\"bad \\escape\"} 1",
        "m{a=1} 1",
        "m{a} 1",
        "m{a=\"1\" b=\"2\"} 1",
        "m{a=\"1\",a=\"2\"} 1",
        "m{1a=\"1\"} 1",
        "m{a=\"1\"",
        "9m 1",
        "{a=\"1\"} 1",
        "m-n 1",
      })
  void malformedLinesHoldNoSample(String text) {
    assertThat(MetricLine.parse(text)).isEmpty();
  }
}
