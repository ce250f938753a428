package dev.modelops.operator.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Checks the analysis defaults once at start, so a wrong setting stops the operator at once. */
@ApplicationScoped
public class AnalysisDefaults {

  private static final Logger LOG = Logger.getLogger(AnalysisDefaults.class);

  void check(@Observes StartupEvent start, OperatorConfig config) {
    problem(config.analysis())
        .ifPresent(
            p -> {
              throw new IllegalStateException(p);
            });
    LOG.infof(
        "canary analysis reads %s unless a ModelDeployment says otherwise",
        config.analysis().defaultSource() == OperatorConfig.AnalysisSource.prometheus
            ? "Prometheus at " + config.analysis().prometheusUrl().orElse("")
            : "the pods' metrics");
  }

  /** What is wrong with the analysis settings, if anything. */
  static Optional<String> problem(OperatorConfig.Analysis analysis) {
    Optional<String> url = analysis.prometheusUrl().filter(u -> !u.isBlank());
    if (analysis.defaultSource() == OperatorConfig.AnalysisSource.prometheus && url.isEmpty()) {
      return Optional.of(
          "modelops.operator.analysis.default-source is prometheus but"
              + " modelops.operator.analysis.prometheus-url is not set: give the Prometheus URL"
              + " (Helm value operator.analysis.prometheusUrl)");
    }
    return url.filter(u -> !u.startsWith("http://") && !u.startsWith("https://"))
        .map(
            u ->
                "modelops.operator.analysis.prometheus-url must be an http:// or https:// URL, got "
                    + u);
  }
}
