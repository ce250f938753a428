package dev.modelops.operator.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PrometheusQueryTest {

  @Test
  void theQueriesReadTheCountersAndHistogramThePodsSourceReads() {
    String pods = "namespace=\"shop\",pod=~\"" + PrometheusQuery.podsOf("iris-r3") + "\"";
    assertThat(PrometheusQuery.requests(pods, "[30s]", false))
        .isEqualTo(
            "sum(increase(modelops_inference_requests_total{namespace=\"shop\","
                + "pod=~\"iris-r3-[a-z0-9]+-[a-z0-9]+\"}[30s]))");
    assertThat(PrometheusQuery.requests(pods, "[30s]", true))
        .contains("outcome=~\"internal|model_error|not_ready\"");
    assertThat(PrometheusQuery.p99(pods, "[30s]"))
        .isEqualTo(
            "histogram_quantile(0.99, sum by (le) (increase("
                + "modelops_inference_request_duration_seconds_bucket{namespace=\"shop\","
                + "pod=~\"iris-r3-[a-z0-9]+-[a-z0-9]+\"}[30s])))");
  }

  @Test
  void predictionsAreAskedByBinAndEachSeriesIsKept() throws Exception {
    assertThat(PrometheusQuery.predictions("namespace=\"shop\"", "[30s]"))
        .isEqualTo(
            "sum by (bin) (increase(modelops_inference_predictions_total{namespace=\"shop\"}[30s]))");
    String answer =
        """
        {"status":"success","data":{"resultType":"vector","result":[
          {"metric":{"bin":"0"},"value":[1764669600,"41.9"]},
          {"metric":{"bin":"2"},"value":[1764669600,"3"]}]}}
        """;
    var result = PrometheusQuery.results(200, answer);
    assertThat(result).hasSize(2);
    assertThat(result.get(1).path("metric").path("bin").asText()).isEqualTo("2");
  }

  @Test
  void aRevisionsPodsAreMatchedAndNoOtherModelDeploymentsOnes() {
    Pattern revision3 = Pattern.compile(PrometheusQuery.podsOf("iris-r3"));
    assertThat(revision3.matcher("iris-r3-7c9f8d6b5-x2x7q").matches()).isTrue();
    assertThat(revision3.matcher("iris-r30-7c9f8d6b5-x2x7q").matches()).isFalse();
    // The pods of revision 1 of a ModelDeployment named iris-r3.
    assertThat(revision3.matcher("iris-r3-r1-7c9f8d6b5-x2x7q").matches()).isFalse();
    // In the PromQL string a dot is escaped twice: once for the regex, once for the string.
    assertThat(PrometheusQuery.podsOf("a.b-r1")).startsWith("a\\\\.b-r1-");
  }

  @Test
  void anAnswerGivesItsValueAndNothingMatchedOrNaNGivesNone() throws Exception {
    String one =
        """
        {"status":"success","data":{"resultType":"vector",
         "result":[{"metric":{},"value":[1764637200.000,"41.9"]}]}}""";
    assertThat(PrometheusQuery.parse(200, one)).hasValue(41.9);
    String none = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
    assertThat(PrometheusQuery.parse(200, none)).isEmpty();
    String nan =
        """
        {"status":"success","data":{"resultType":"vector",
         "result":[{"metric":{},"value":[1764637200.000,"NaN"]}]}}""";
    assertThat(PrometheusQuery.parse(200, nan)).isEmpty();
  }

  @Test
  void anErrorSaysWhatPrometheusSaid() {
    String error =
        """
        {"status":"error","errorType":"bad_data",
         "error":"1:15: parse error: unexpected right parenthesis ')'"}""";
    assertThatThrownBy(() -> PrometheusQuery.parse(400, error))
        .hasMessage(
            "Prometheus answered HTTP 400: bad_data: 1:15: parse error: unexpected right"
                + " parenthesis ')'");
    assertThatThrownBy(() -> PrometheusQuery.parse(502, "<html>Bad Gateway</html>"))
        .hasMessage("Prometheus answered HTTP 502 with a body that is not JSON");
  }

  @Test
  void aLongErrorIsCappedForStatusAndEvents() {
    String error =
        "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"" + "x".repeat(5000) + "\"}";
    assertThatThrownBy(() -> PrometheusQuery.parse(422, error))
        .hasMessageStartingWith("Prometheus answered HTTP 422: execution: xxx")
        .hasMessageEndingWith("…")
        .satisfies(e -> assertThat(e.getMessage()).hasSize(300));
  }
}
