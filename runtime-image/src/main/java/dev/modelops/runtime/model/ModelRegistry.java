package dev.modelops.runtime.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.modelops.runtime.config.RuntimeConfig;
import dev.modelops.runtime.health.Drain;
import dev.modelops.runtime.inference.ExecutionProviders;
import dev.modelops.runtime.inference.ModelSession;
import dev.modelops.runtime.inference.Warmup;
import dev.modelops.runtime.metrics.RuntimeMetrics;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Loads the configured model once, in the background so the server answers liveness meanwhile:
 * fetch and verify, one ONNX Runtime session, one warm-up run, then ready. A model that cannot load
 * leaves the server up and not ready, with the reason logged once and shown on /ready.
 */
@ApplicationScoped
public class ModelRegistry {

  private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

  @Inject RuntimeConfig config;
  @Inject RuntimeMetrics metrics;
  @Inject Drain drain;

  private final AtomicReference<ServedModel> current = new AtomicReference<>();
  private volatile ExecutionProviders.Choice provider =
      new ExecutionProviders.Choice("cpu", "not chosen yet");

  void onStart(@Observes StartupEvent event) {
    String name = config.model().name();
    String version = config.model().version().orElse("");
    current.set(ServedModel.loading(name, version));
    Thread.ofVirtual().name("model-loader").start(() -> current.set(load(name, version)));
  }

  /**
   * Closes the session once its runs ended. Quarkus fires this after the drain (see {@link Drain}),
   * so normally none is left; one that outlives the drain's time keeps the session open, since
   * closing it under a run would abort the process.
   */
  void onStop(@Observes ShutdownEvent event) {
    Optional<ModelSession> session = model().session();
    if (session.isEmpty()) {
      return;
    }
    try {
      if (!session.get().close(drain.timeLeft())) {
        LOG.infof(
            "model %s: a run is still going at the end of the drain; its session is left open"
                + " for the process' exit",
            config.model().name());
      }
    } catch (OrtException e) {
      LOG.debugf("closing the session: %s", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  ServedModel load(String name, String version) {
    long start = System.nanoTime();
    try {
      String source =
          config
              .model()
              .path()
              .orElseThrow(
                  () ->
                      new ModelFetcher.FetchException(
                          "no model configured: set MODELOPS_MODEL_PATH"));
      Path file =
          new ModelFetcher(ModelFetcher.Policy.DEFAULT)
              .fetch(
                  source,
                  config.model().sha256(),
                  Path.of(System.getProperty("java.io.tmpdir"), "modelops", "model.onnx"));
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = sessionOptions();
      ExecutionProviders.Choice chosen =
          ExecutionProviders.choose(
              config.executionProvider(),
              config.requireGpu(),
              options,
              ExecutionProviders.CudaLoader.DEFAULT);
      ExecutionProviders.Opened<OrtSession> opened =
          ExecutionProviders.open(
              chosen,
              config.requireGpu(),
              cuda -> env.createSession(file.toString(), cuda ? options : sessionOptions()));
      provider = opened.choice();
      metrics.executionProvider(provider.provider());
      ModelSession session = new ModelSession(env, opened.session());
      Warmup.Measured warmup = Warmup.run(session);
      double seconds = (System.nanoTime() - start) / 1e9;
      metrics.loaded(seconds);
      LOG.infof(
          "model %s version %s loaded from %s in %.2fs on %s; one run of %d input elements takes"
              + " %d µs; %s; ready",
          name,
          version,
          source,
          seconds,
          provider.provider(),
          warmup.elements(),
          warmup.fastest().toNanos() / 1000,
          batching(session));
      return ServedModel.ready(name, version, session, warmup);
    } catch (Exception | LinkageError e) {
      // A native library that does not load (LinkageError) must not leave the model loading
      // forever.
      String reason = reason(e);
      LOG.errorf("model %s cannot be served: %s", name, reason);
      metrics.loadFailed();
      if (config.exitOnLoadFailure()) {
        exitWith("model %s cannot be served: %s".formatted(name, reason));
      }
      return ServedModel.failed(name, version, reason);
    }
  }

  /** Ends the process with the reason where the kubelet reads a container's last words. */
  private void exitWith(String reason) {
    if (!TerminationLog.write(Path.of(config.terminationLog()), reason)) {
      LOG.debugf("no termination log at %s", config.terminationLog());
    }
    Quarkus.asyncExit(1);
  }

  /** Whether dynamic batching applies to this model, and why not, for the log line. */
  private String batching(ModelSession session) {
    if (config.batching().maxBatchSize() <= 1) {
      return "dynamic batching off (max batch size 1)";
    }
    if (!session.sharesBatchDimension()) {
      return "dynamic batching off: not every input and output has one free, shared first"
          + " dimension";
    }
    return "dynamic batching up to %d rows, waiting at most %d µs"
        .formatted(config.batching().maxBatchSize(), config.batching().maxDelay().toNanos() / 1000);
  }

  /** One intra-op thread: many requests in parallel run fastest that way. */
  private static OrtSession.SessionOptions sessionOptions() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    return options;
  }

  private static String reason(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return e instanceof OrtException ? "not a valid ONNX model: " + message : message;
  }

  /** The served model; "loading" until the start event has begun loading it. */
  public ServedModel model() {
    ServedModel model = current.get();
    return model != null
        ? model
        : ServedModel.loading(config.model().name(), config.model().version().orElse(""));
  }

  public ExecutionProviders.Choice provider() {
    return provider;
  }
}
