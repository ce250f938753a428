package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.dependent.ModelLocation;
import java.util.Optional;

/**
 * What the schema lets through but the operator cannot serve. Such a spec leaves the running pods
 * as they are and is reported as Degraded/InvalidSpec.
 */
public final class SpecCheck {

  private SpecCheck() {}

  public static Optional<String> problem(ModelDeployment mdep) {
    var spec = mdep.getSpec();
    if (spec == null || spec.model == null || spec.model.uri == null) {
      return Optional.of("spec.model.uri is required");
    }
    try {
      ModelLocation.parse(spec.model.uri);
      if (spec.model.baseline != null && spec.model.baseline.uri != null) {
        ModelLocation.parse(
            "spec.model.baseline.uri", spec.model.baseline.uri, ModelLocation.PVC_MOUNT);
      }
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (spec.runtime != null && spec.runtime.image != null && spec.runtime.image.isBlank()) {
      return Optional.of("spec.runtime.image is empty: remove it to use the default runtime image");
    }
    return Optional.empty();
  }
}
