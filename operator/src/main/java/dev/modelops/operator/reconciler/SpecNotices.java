package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Fields the schema accepts that do nothing yet: each set one is said plainly, in a Warning Event
 * on every new generation, as its description says.
 */
final class SpecNotices {

  static final String REASON = "NotActiveYet";

  private SpecNotices() {}

  static List<String> of(ModelDeployment mdep) {
    ModelDeploymentSpec spec = mdep.getSpec();
    List<String> notices = new ArrayList<>();
    if (spec == null) {
      return notices;
    }
    if (spec.retraining != null) {
      notices.add("spec.retraining is not active yet: no retraining Job is started");
    }
    return notices;
  }
}
