package dev.modelops.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnalysisDefaultsTest {

  record Analysis(OperatorConfig.AnalysisSource defaultSource, Optional<String> prometheusUrl)
      implements OperatorConfig.Analysis {}

  @Test
  void podsNeedNoUrl() {
    assertThat(
            AnalysisDefaults.problem(
                new Analysis(OperatorConfig.AnalysisSource.pods, Optional.empty())))
        .isEmpty();
  }

  @Test
  void prometheusByDefaultNeedsItsUrl() {
    assertThat(
            AnalysisDefaults.problem(
                new Analysis(OperatorConfig.AnalysisSource.prometheus, Optional.of(" "))))
        .hasValueSatisfying(
            p ->
                assertThat(p)
                    .contains("prometheus-url is not set", "operator.analysis.prometheusUrl"));
    assertThat(
            AnalysisDefaults.problem(
                new Analysis(
                    OperatorConfig.AnalysisSource.prometheus,
                    Optional.of("http://prometheus.monitoring:9090"))))
        .isEmpty();
  }

  @Test
  void urlMustBeHttp() {
    assertThat(
            AnalysisDefaults.problem(
                new Analysis(OperatorConfig.AnalysisSource.pods, Optional.of("prometheus:9090"))))
        .hasValue(
            "modelops.operator.analysis.prometheus-url must be an http:// or https:// URL, got"
                + " prometheus:9090");
  }
}
