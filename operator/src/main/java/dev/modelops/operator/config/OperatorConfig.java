package dev.modelops.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The operator's own settings: modelops.operator.* in application.properties, or env
 * MODELOPS_OPERATOR_*.
 */
@ConfigMapping(prefix = "modelops.operator")
public interface OperatorConfig {

  /** Runtime image of ModelDeployments that set no spec.runtime.image. */
  @WithDefault("modelops/runtime:0.1.0")
  String runtimeImage();

  /** Port of the runtime's V2 REST endpoint. */
  @WithDefault("8080")
  int runtimePort();
}
