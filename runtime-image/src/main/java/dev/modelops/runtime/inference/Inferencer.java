package dev.modelops.runtime.inference;

import dev.modelops.runtime.config.AdmissionLimits;
import dev.modelops.runtime.config.RuntimeConfig;
import dev.modelops.runtime.metrics.RuntimeMetrics;
import dev.modelops.runtime.model.ModelRegistry;
import dev.modelops.runtime.model.ServedModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Checks a request against the model's metadata, naming what is wrong, and runs it: through the
 * batcher when the model has a free first dimension everywhere, directly otherwise.
 */
@ApplicationScoped
public class Inferencer {

  @Inject ModelRegistry registry;
  @Inject RuntimeConfig config;
  @Inject RuntimeMetrics metrics;

  private volatile Batcher batcher;

  /**
   * The served model if it matches name and version, else a 404 (or a 503 while it is not ready).
   */
  public ServedModel model(String name, String version) {
    ServedModel model = registry.model();
    if (!model.name().equals(name)) {
      throw InferenceException.notFound(
          "model '%s' is not served here; this server serves '%s'".formatted(name, model.name()));
    }
    if (version != null
        && !version.isEmpty()
        && !model.version().isEmpty()
        && !model.version().equals(version)) {
      throw InferenceException.notFound(
          "model '%s' has no version '%s'; this server serves version '%s'"
              .formatted(name, version, model.version()));
    }
    return model;
  }

  /**
   * Whether a request body of this size for the served model is decoded on the event loop that read
   * it: the model is fast (its warm-up run within {@code modelops.inline.max-run-micros}) and the
   * body small, so decoding it there costs less than the hop to a worker thread. It is also run
   * there only when {@link #runInline} says so.
   */
  public boolean inline(int bodyBytes) {
    return inline(registry.model(), bodyBytes, config.inline());
  }

  static boolean inline(ServedModel model, int bodyBytes, RuntimeConfig.Inline limits) {
    return model.ready()
        && bodyBytes <= limits.maxBodyBytes()
        && model.warmup().fastest().toNanos() <= limits.maxRunMicros() * 1000;
  }

  /**
   * Whether a request decoded on the event loop may run there too: its inputs are no larger than
   * the warm-up's, the run measured as fast. A small body can still hold many rows (a few hundred
   * of the MLP's in 64 KiB), and a run grows with them; a larger request runs on a worker thread.
   */
  public boolean runInline(InferRequest request) {
    return runInline(registry.model(), request.inputs());
  }

  static boolean runInline(ServedModel model, List<Tensor> inputs) {
    long elements = 0;
    for (Tensor t : inputs) {
      elements += t.elementCount();
    }
    return model.ready() && elements <= model.warmup().elements();
  }

  /**
   * Checks the request and runs it: in the calling thread when it is alone (or the model cannot
   * batch), else in a batch with its neighbours. The future fails only with an {@link
   * InferenceException}; names, types and shapes are checked before it is made.
   */
  public CompletableFuture<Map<String, Tensor>> infer(
      String name, String version, InferRequest request) {
    ServedModel model = model(name, version);
    ModelSession session =
        model
            .session()
            .orElseThrow(
                () ->
                    new InferenceException(
                        503, "not_ready", "model '" + name + "' is not ready: " + model.reason()));
    Map<String, Tensor> feed = validate(session, request.inputs());
    Set<String> wanted = wanted(session, request.outputs());
    if (batchable(session)) {
      sameRows(feed);
      return batcher(session).submit(feed, wanted);
    }
    try {
      return CompletableFuture.completedFuture(session.run(feed, wanted));
    } catch (InferenceException e) {
      throw e;
    } catch (Exception | LinkageError e) {
      throw new InferenceException(500, "model_error", "the model failed: " + e.getMessage());
    }
  }

  static Map<String, Tensor> validate(ModelSession session, List<Tensor> inputs) {
    Map<String, TensorSpec> specs =
        session.inputs().stream().collect(Collectors.toMap(TensorSpec::name, s -> s));
    Map<String, Tensor> feed = new LinkedHashMap<>();
    for (Tensor t : inputs) {
      TensorSpec spec = specs.get(t.name());
      if (spec == null) {
        throw InferenceException.badRequest(
            "unknown input '%s'; the model's inputs are %s".formatted(t.name(), specs.keySet()));
      }
      if (feed.put(t.name(), t) != null) {
        throw InferenceException.badRequest("input '" + t.name() + "' is given twice");
      }
      if (t.datatype() != spec.datatype()) {
        throw InferenceException.badRequest(
            "input '%s' has datatype %s; the model expects %s"
                .formatted(t.name(), t.datatype(), spec.datatype()));
      }
      long[] want = spec.shape();
      long[] got = t.shape();
      boolean fits = want.length == got.length;
      for (int i = 0; fits && i < want.length; i++) {
        fits = got[i] >= 0 && (want[i] < 0 || want[i] == got[i]);
      }
      if (!fits) {
        throw InferenceException.badRequest(
            "input '%s' has shape %s; the model expects %s (-1 is any size)"
                .formatted(
                    t.name(), java.util.Arrays.toString(got), java.util.Arrays.toString(want)));
      }
    }
    Set<String> missing = new HashSet<>(specs.keySet());
    missing.removeAll(feed.keySet());
    if (!missing.isEmpty()) {
      throw InferenceException.badRequest("missing inputs " + missing.stream().sorted().toList());
    }
    return feed;
  }

  static Set<String> wanted(ModelSession session, List<InferRequest.RequestedOutput> requested) {
    Set<String> names =
        session.outputs().stream()
            .map(TensorSpec::name)
            .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    if (requested.isEmpty()) {
      return names;
    }
    Set<String> wanted = new java.util.LinkedHashSet<>();
    for (InferRequest.RequestedOutput o : requested) {
      if (!names.contains(o.name())) {
        throw InferenceException.badRequest(
            "unknown output '%s'; the model's outputs are %s".formatted(o.name(), names));
      }
      wanted.add(o.name());
    }
    return wanted;
  }

  private boolean batchable(ModelSession session) {
    return config.batching().maxBatchSize() > 1 && session.sharesBatchDimension();
  }

  /** The inputs of a request to a batched model agree on its batch dimension. */
  static void sameRows(Map<String, Tensor> feed) {
    long first = feed.values().iterator().next().rows();
    if (feed.values().stream().anyMatch(t -> t.rows() != first)) {
      Map<String, Long> rows = new LinkedHashMap<>();
      feed.values().forEach(t -> rows.put(t.name(), t.rows()));
      throw InferenceException.badRequest(
          "the inputs must agree on their first (batch) dimension; their sizes are " + rows);
    }
  }

  private Batcher batcher(ModelSession session) {
    Batcher b = batcher;
    if (b == null) {
      synchronized (this) {
        if (batcher == null) {
          AdmissionLimits limits = AdmissionLimits.of(config, Runtime.getRuntime().maxMemory());
          batcher =
              new Batcher(
                  session,
                  config.batching().maxBatchSize(),
                  config.batching().maxDelay(),
                  Math.max(1, Runtime.getRuntime().availableProcessors()),
                  limits.maxQueue(),
                  limits.queueDeadline(),
                  metrics);
          metrics.queueLength(batcher::queued);
        }
        b = batcher;
      }
    }
    return b;
  }
}
