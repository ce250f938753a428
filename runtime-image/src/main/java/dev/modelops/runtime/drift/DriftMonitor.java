package dev.modelops.runtime.drift;

import dev.modelops.drift.DriftScores;
import dev.modelops.runtime.config.RuntimeConfig;
import dev.modelops.runtime.inference.ModelSession;
import dev.modelops.runtime.inference.Tensor;
import dev.modelops.runtime.model.ModelRegistry;
import dev.modelops.runtime.model.ServedModel;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * Drift of the served model's inputs and outputs from the baseline in {@code MODELOPS_BASELINE}:
 * requests hand their rows to a {@link SampleRing}; one thread of its own moves them into the
 * sliding windows every {@link #DRAIN_MILLIS} ms and publishes the counts and scores (at most every
 * {@link #PUBLISH_MILLIS} ms) for the report and the gauges.
 */
@ApplicationScoped
public class DriftMonitor {

  private static final Logger LOG = Logger.getLogger(DriftMonitor.class);
  static final long DRAIN_MILLIS = 20;
  static final long PUBLISH_MILLIS = 200;

  @Inject RuntimeConfig config;
  @Inject ModelRegistry registry;
  @Inject DriftGauges gauges;

  /** Drift is on, or off and why; the plan once the model is loaded. */
  public record Status(boolean enabled, String reason, Optional<RecordPlan> plan) {}

  private volatile Status status =
      new Status(false, "drift is off: MODELOPS_BASELINE is not set", Optional.empty());

  private volatile DriftState state = DriftState.EMPTY;
  private volatile Recorder recorder;
  private Baseline baseline;
  private Thread thread;

  // The windows' thread's own.
  private FeatureWindow[] windows;
  private FeatureWindow outputWindow;
  private long rows;
  private long unpublished;
  private long published;

  /** What requests hand over: the plan's tensor names and the ring. */
  private record Recorder(String input, String output, SampleRing ring) {}

  void onStart(@Observes StartupEvent event) {
    Optional<String> file = config.baseline().filter(f -> !f.isBlank());
    if (file.isEmpty()) {
      return;
    }
    if (config.drift().window() < 1) {
      off("modelops.drift.window is %d; it must be at least 1".formatted(config.drift().window()));
      return;
    }
    try {
      baseline = BaselineFile.read(Path.of(file.get()));
    } catch (IOException | BaselineFile.InvalidBaselineException e) {
      off("the baseline cannot be read: " + e.getMessage());
      return;
    }
    status = new Status(true, "waiting for the model to load", Optional.empty());
    thread = Thread.ofPlatform().name("drift-windows").daemon().start(this::run);
  }

  private void off(String reason) {
    status = new Status(false, "drift is off: " + reason, Optional.empty());
    LOG.errorf("model %s: %s", config.model().name(), status.reason());
  }

  void onStop(@Observes ShutdownEvent event) {
    if (thread != null) {
      thread.interrupt();
    }
  }

  /** Hands an answered request's rows over; called after its answer is sent. Never blocks. */
  public void record(List<Tensor> inputs, Map<String, Tensor> outputs) {
    Recorder r = recorder;
    if (r == null) {
      return;
    }
    Tensor in = null;
    if (r.input() != null) {
      for (Tensor t : inputs) {
        if (t.name().equals(r.input())) {
          in = t;
        }
      }
    }
    r.ring().offer(in, r.output() == null ? null : outputs.get(r.output()));
  }

  public Status status() {
    return status;
  }

  public DriftState state() {
    return state;
  }

  public int window() {
    return config.drift().window();
  }

  private void run() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Recorder r = recorder;
        if (r == null) {
          bind();
        } else {
          unpublished += r.ring().drain(this::add);
          long now = System.nanoTime();
          boolean due = now - published >= TimeUnit.MILLISECONDS.toNanos(PUBLISH_MILLIS);
          if (due && (unpublished > 0 || r.ring().dropped() != state.dropped())) {
            unpublished = 0;
            publish(r.ring());
            published = now;
          }
        }
      } catch (RuntimeException e) {
        LOG.errorf(e, "model %s: drift windows failed", config.model().name());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS));
    }
  }

  /** Once the model is ready: what to record of its inputs and outputs. */
  private void bind() {
    ServedModel model = registry.model();
    Optional<ModelSession> session = model.session();
    if (session.isEmpty()) {
      if (model.state() == ServedModel.State.FAILED) {
        status = new Status(false, "drift is off: the model did not load", Optional.empty());
        Thread.currentThread().interrupt();
      }
      return;
    }
    RecordPlan plan = RecordPlan.of(baseline, session.get().inputs(), session.get().outputs());
    int size = config.drift().window();
    windows =
        plan.features().stream().map(f -> new FeatureWindow(f, size)).toArray(FeatureWindow[]::new);
    outputWindow = plan.outputBins().map(f -> new FeatureWindow(f, size)).orElse(null);
    SampleRing ring = new SampleRing(plan);
    gauges.enabled(ring);
    status = new Status(true, "recording", Optional.of(plan));
    LOG.infof(
        "model %s: drift over windows of %d rows: input %s (%d features), output %s",
        model.name(),
        size,
        plan.input().orElse("none"),
        plan.features().size(),
        plan.output().map(o -> o + " (" + plan.outputKind().orElseThrow() + ")").orElse("none"));
    plan.notes().forEach(note -> LOG.infof("model %s: drift: %s", model.name(), note));
    publish(ring);
    recorder = new Recorder(plan.input().orElse(null), plan.output().orElse(null), ring);
  }

  private void add(double[] values, int offset) {
    for (int i = 0; i < windows.length; i++) {
      windows[i].add(values[offset + i]);
    }
    if (outputWindow != null) {
      outputWindow.add(values[offset + windows.length]);
    }
    rows++;
  }

  private void publish(SampleRing ring) {
    List<DriftState.Window> features = new ArrayList<>();
    for (FeatureWindow w : windows) {
      features.add(window(w));
    }
    List<DriftScores> scored = features.stream().flatMap(w -> w.scores().stream()).toList();
    DriftState next =
        new DriftState(
            Math.min(rows, config.drift().window()),
            ring.dropped(),
            features,
            DriftScores.overall(scored),
            Optional.ofNullable(outputWindow).map(DriftMonitor::window));
    state = next;
    gauges.update(next);
  }

  private static DriftState.Window window(FeatureWindow w) {
    long[] counts = w.counts();
    return new DriftState.Window(
        w.feature(),
        w.samples(),
        w.full(),
        counts,
        w.full() ? w.feature().scores(counts) : Optional.empty());
  }
}
