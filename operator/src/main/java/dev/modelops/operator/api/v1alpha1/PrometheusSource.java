package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A Prometheus server to read canary metrics from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrometheusSource {

  @Required
  @Pattern("^https?://.+$")
  @JsonPropertyDescription(
      "Base URL of the Prometheus HTTP API, for example http://prometheus.monitoring:9090.")
  public String url;
}
