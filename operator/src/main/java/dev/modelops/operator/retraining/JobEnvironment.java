package dev.modelops.operator.retraining;

import dev.modelops.operator.api.v1alpha1.BaselineSource;
import dev.modelops.operator.api.v1alpha1.DriftStatus;
import dev.modelops.operator.history.Revision;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The environment a retraining Job's containers get: what is served, what drifted, and where to
 * read more. Each variable is set only when its value is known.
 */
public final class JobEnvironment {

  private JobEnvironment() {}

  /**
   * @param serving the revision whose inputs drifted (the stable one)
   * @param endpoint the model's V2 endpoint through the ModelDeployment's Service
   */
  public static Map<String, String> of(
      String namespace,
      String deployment,
      String modelName,
      Revision serving,
      Optional<DriftStatus> drift,
      String endpoint,
      int attempt) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MODELOPS_NAMESPACE", namespace);
    env.put("MODELOPS_DEPLOYMENT", deployment);
    env.put("MODELOPS_MODEL_NAME", modelName);
    put(env, "MODELOPS_MODEL_VERSION", serving.template().model().version);
    put(env, "MODELOPS_MODEL_URI", serving.template().model().uri);
    put(env, "MODELOPS_MODEL_SHA256", serving.template().model().sha256);
    env.put("MODELOPS_REVISION", Integer.toString(serving.number()));
    env.put("MODELOPS_ATTEMPT", Integer.toString(attempt));
    drift.ifPresent(
        d -> {
          put(env, "MODELOPS_DRIFT_METHOD", d.method);
          put(env, "MODELOPS_DRIFT_SCORE", number(d.score));
          put(env, "MODELOPS_DRIFT_THRESHOLD", number(d.threshold));
          put(env, "MODELOPS_DRIFT_SAMPLES", d.samples == null ? null : d.samples.toString());
          if (d.worstFeatures != null && !d.worstFeatures.isEmpty()) {
            env.put(
                "MODELOPS_DRIFTED_FEATURES",
                d.worstFeatures.stream().map(f -> f.name).collect(Collectors.joining(",")));
            env.put(
                "MODELOPS_DRIFT_FEATURE_SCORES",
                d.worstFeatures.stream()
                    .map(f -> f.name + "=" + number(f.score))
                    .collect(Collectors.joining(",")));
          }
        });
    Optional<BaselineSource> baseline = serving.baseline();
    put(env, "MODELOPS_BASELINE_URI", baseline.map(b -> b.uri).orElse(null));
    put(env, "MODELOPS_BASELINE_SHA256", baseline.map(b -> b.sha256).orElse(null));
    env.put("MODELOPS_ENDPOINT", endpoint);
    // The runtime keeps no raw inputs, only each feature's binned window: this is where it is.
    env.put("MODELOPS_DRIFT_REPORT_URL", endpoint + "/drift");
    return env;
  }

  private static void put(Map<String, String> env, String name, String value) {
    if (value != null && !value.isEmpty()) {
      env.put(name, value);
    }
  }

  private static String number(Double v) {
    return v == null ? null : String.format(Locale.ROOT, "%s", v);
  }
}
