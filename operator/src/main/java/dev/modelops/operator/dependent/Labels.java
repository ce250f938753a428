package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels on everything the operator creates, and the selectors built from them. */
public final class Labels {

  public static final String DEPLOYMENT = "modelops.dev/deployment";
  public static final String REVISION = "modelops.dev/revision";
  public static final String TEMPLATE_HASH = "modelops.dev/template-hash";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String OPERATOR = "modelops-operator";

  private Labels() {}

  /** Labels common to every object of a ModelDeployment. */
  public static Map<String, String> common(ModelDeployment mdep) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "modelops-runtime");
    labels.put("app.kubernetes.io/instance", mdep.getMetadata().getName());
    labels.put("app.kubernetes.io/component", "inference");
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(DEPLOYMENT, mdep.getMetadata().getName());
    return labels;
  }

  /** Labels of one revision's objects and pods. */
  public static Map<String, String> revision(ModelDeployment mdep, int revision) {
    Map<String, String> labels = common(mdep);
    labels.put(REVISION, Integer.toString(revision));
    return labels;
  }

  /** Selects every pod of a ModelDeployment, whatever its revision. */
  public static Map<String, String> allRevisions(ModelDeployment mdep) {
    return Map.of(DEPLOYMENT, mdep.getMetadata().getName());
  }

  /** Selects the pods of one revision. */
  public static Map<String, String> oneRevision(ModelDeployment mdep, int revision) {
    return Map.of(DEPLOYMENT, mdep.getMetadata().getName(), REVISION, Integer.toString(revision));
  }

  /** The name of a revision's Deployment. */
  public static String deploymentName(ModelDeployment mdep, int revision) {
    return mdep.getMetadata().getName() + "-r" + revision;
  }

  /** The name the model is served under. */
  public static String modelName(ModelDeployment mdep) {
    String name = mdep.getSpec().model.name;
    return name == null || name.isBlank() ? mdep.getMetadata().getName() : name;
  }
}
