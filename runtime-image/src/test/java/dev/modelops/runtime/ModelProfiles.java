package dev.modelops.runtime;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** One Quarkus test profile per test model: the server serves exactly one model. */
public final class ModelProfiles {

  private ModelProfiles() {}

  static Map<String, String> serving(String name, String file) {
    return Map.of(
        "modelops.model.name",
        name,
        "modelops.model.version",
        "1",
        "modelops.model.path",
        "src/test/resources/models/" + file);
  }

  public static class Types implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return serving("types", "identity_types.onnx");
    }
  }

  public static class MultiIo implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return serving("multi", "multi_io.onnx");
    }
  }

  public static class Fixed implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return serving("fixed", "fixed_add.onnx");
    }
  }

  public static class Gather implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return serving("gather", "gather.onnx");
    }
  }

  public static class Pick implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return serving("pick", "pick.onnx");
    }
  }

  public static class Corrupt implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return serving("corrupt", "corrupt.onnx");
    }
  }

  public static class Failing implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return serving("failing", "failing.onnx");
    }
  }

  public static class Slow implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return serving("slow", "slow.onnx");
    }
  }

  /** The MLP with a baseline for its inputs and outputs, and windows of 200 rows. */
  public static class Drift implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new java.util.HashMap<>(serving("mlp", "mlp.onnx"));
      config.put("modelops.baseline", "src/test/resources/drift/mlp-baseline.json");
      config.put("modelops.drift.window", "200");
      return config;
    }
  }

  /**
   * long_run.onnx (about a second a run) in batches of at most 2 rows, so two-row requests never
   * share a run, and queued ones wait at most 100 ms.
   */
  public static class QueueDeadline implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new java.util.HashMap<>(serving("slow", "long_run.onnx"));
      config.put("modelops.batching.max-batch-size", "2");
      config.put("modelops.admission.queue-deadline", "100ms");
      return config;
    }
  }

  /** long_run.onnx in batches of at most 2 rows, with room for one request in the queue. */
  public static class QueueLength implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new java.util.HashMap<>(serving("slow", "long_run.onnx"));
      config.put("modelops.batching.max-batch-size", "2");
      config.put("modelops.admission.max-queue", "1");
      config.put("modelops.admission.queue-deadline", "60s");
      return config;
    }
  }

  /** The MLP with room for 100,000 bytes of request bodies in flight. */
  public static class InFlightBytes implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new java.util.HashMap<>(serving("mlp", "mlp.onnx"));
      config.put("modelops.admission.max-in-flight-bytes", "100000");
      return config;
    }
  }

  /** The token the authentication tests' server takes. */
  public static final String TOKEN = "s3cret-7f4a9c2e";

  /**
   * The MLP behind a bearer token, with the token given as a Secret made from a file gives it (a
   * newline at the end), and the log written to a file the test reads.
   */
  public static class Auth implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new java.util.HashMap<>(serving("mlp", "mlp.onnx"));
      config.put("modelops.auth.token", TOKEN + "\n");
      config.put("modelops.auth.required", "true");
      config.put("quarkus.log.file.enabled", "true");
      config.put("quarkus.log.file.path", "target/auth-test.log");
      config.put("quarkus.log.category.\"dev.modelops\".level", "DEBUG");
      return config;
    }
  }

  /** As {@link Auth}, with /q/metrics behind the token too. */
  public static class AuthMetrics implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> config = new java.util.HashMap<>(serving("mlp", "mlp.onnx"));
      config.put("modelops.auth.token", TOKEN);
      config.put("modelops.auth.protect-metrics", "true");
      return config;
    }
  }
}
