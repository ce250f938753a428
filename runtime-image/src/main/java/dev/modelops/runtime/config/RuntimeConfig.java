package dev.modelops.runtime.config;

import io.quarkus.runtime.annotations.StaticInitSafe;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The runtime's settings. The operator sets them as env vars (MODELOPS_MODEL_NAME,
 * MODELOPS_MODEL_PATH, MODELOPS_REVISION, MODELOPS_BATCHING_MAX_BATCH_SIZE, ...).
 */
@StaticInitSafe
@ConfigMapping(prefix = "modelops")
public interface RuntimeConfig {

  Model model();

  /** Revision label of the metrics, set by the operator. */
  @WithDefault("0")
  String revision();

  Batching batching();

  /** cpu, cuda, or auto (cuda when it loads, else cpu). */
  @WithDefault("auto")
  String executionProvider();

  /** Fail readiness instead of falling back to the CPU when CUDA cannot be used. */
  @WithDefault("false")
  boolean requireGpu();

  /**
   * A model that cannot be loaded ends the process (exit code 1) with the reason in {@link
   * #terminationLog()}, so Kubernetes shows it in the pod's status and restarts the container,
   * instead of a pod that runs and is never ready. false keeps the server up, answering 503.
   */
  @WithDefault("true")
  boolean exitOnLoadFailure();

  /** Where the reason of a failed load is written; the kubelet reads it into the pod's status. */
  @WithDefault("/dev/termination-log")
  String terminationLog();

  /** Largest request body accepted; larger ones get a 413. */
  @WithDefault("67108864")
  long maxRequestBytes();

  Inline inline();

  Admission admission();

  Drain drain();

  /**
   * The baseline file (docs/drift-and-retraining.md) that the inputs' and outputs' drift is
   * measured against; without one, drift is off.
   */
  Optional<String> baseline();

  Drift drift();

  Auth auth();

  /**
   * Bearer-token authentication of the V2 endpoints (docs/runtime.md, "Authentication"). The
   * operator sets the token from a Secret through the kubelet, and sets {@link #required()} so that
   * an empty Secret value stops the start instead of leaving the server open.
   */
  interface Auth {
    /**
     * The token requests must bear ({@code Authorization: Bearer <token>}); surrounding whitespace
     * (a Secret made from a file ending in a newline) is not part of it. Unset: no authentication.
     */
    Optional<String> token();

    /** A missing or empty token stops the start. */
    @WithDefault("false")
    boolean required();

    /**
     * {@code /q/metrics} asks for the token too. Off by default: the operator reads the metrics of
     * each pod by its IP, without the token, for canary analysis (a NetworkPolicy limits who can).
     */
    @WithDefault("false")
    boolean protectMetrics();
  }

  /** How drift is measured; the thresholds are the operator's business. */
  interface Drift {
    /** Samples per window: the scores compare the last this many rows with the baseline. */
    @WithDefault("5000")
    int window();
  }

  /**
   * How much work the server takes on before it refuses more (429, or 503 while draining, with
   * {@code Retry-After}): bytes of request bodies held at once, requests waiting in the batch
   * queue, and how long one may wait there. Unset bounds are derived from the heap ({@link
   * AdmissionLimits}).
   */
  interface Admission {
    /** Bytes of request bodies held at once, from the first byte read to the answer. */
    OptionalLong maxInFlightBytes();

    /** Requests waiting in the batch queue for a model run. */
    OptionalInt maxQueue();

    /** The longest a request waits in the batch queue; one that waited longer is not run. */
    @WithDefault("10s")
    Duration queueDeadline();
  }

  /**
   * What a SIGTERM does (Kubernetes sends one to a pod it removes, as in a rollout): readiness goes
   * down at once while requests are served as before for {@link #delay()}, the time Kubernetes
   * takes to drop the pod from its Service's endpoints; then new requests are refused (503) and
   * those in flight, queued batches with them, get {@link #timeout()} to finish; only then does the
   * model's session close. application.properties hands both to Quarkus' own shutdown.
   */
  interface Drain {
    @WithDefault("5s")
    Duration delay();

    @WithDefault("30s")
    Duration timeout();
  }

  /**
   * Small requests to a fast model are answered on the HTTP event loop that read them; everything
   * else is decoded and run on a worker thread, so a slow model never stalls the event loop.
   */
  interface Inline {
    /**
     * The slowest model run, in microseconds (the fastest of the warm-up runs), answered on the
     * event loop; 0 turns inline answering off.
     */
    @WithDefault("500")
    long maxRunMicros();

    /** The largest request body decoded on the event loop. */
    @WithDefault("65536")
    int maxBodyBytes();
  }

  /** The model served. */
  interface Model {
    @WithDefault("model")
    String name();

    Optional<String> version();

    /** Local path, file:// or http(s):// URI of the ONNX file. */
    Optional<String> path();

    Optional<String> sha256();
  }

  /** Dynamic batching of concurrent requests. */
  interface Batching {
    /** 1 turns batching off. */
    @WithDefault("32")
    int maxBatchSize();

    @WithDefault("2ms")
    Duration maxDelay();
  }
}
