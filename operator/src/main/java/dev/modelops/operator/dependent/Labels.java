package dev.modelops.operator.dependent;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.history.Revision;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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

  /** True for an object labelled as one of this ModelDeployment's (informers see every one). */
  public static boolean belongsTo(ModelDeployment mdep, HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels != null && mdep.getMetadata().getName().equals(labels.get(DEPLOYMENT));
  }

  /** The objects of this ModelDeployment among those given, by name. */
  public static <T extends HasMetadata> Map<String, T> byName(
      ModelDeployment mdep, Stream<T> objects) {
    return objects
        .filter(o -> belongsTo(mdep, o))
        .collect(Collectors.toMap(o -> o.getMetadata().getName(), o -> o));
  }

  /** The name of a revision's Deployment. */
  public static String deploymentName(ModelDeployment mdep, int revision) {
    return mdep.getMetadata().getName() + "-r" + revision;
  }

  /** The name a revision's model is served under: its own spec.model.name, else the resource's. */
  public static String modelName(ModelDeployment mdep, Revision revision) {
    String name = revision.template().model().name;
    return name == null || name.isBlank() ? mdep.getMetadata().getName() : name;
  }
}
