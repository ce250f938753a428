package dev.modelops.operator.metrics;

import dev.modelops.operator.api.v1alpha1.Conditions;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.reconciler.ConditionList;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Per-ModelDeployment gauges for dashboards, read from the status the operator published. They
 * follow the informer's cache, so a deleted ModelDeployment's series disappear within seconds.
 */
@ApplicationScoped
public class ModelDeploymentGauges {

  private static final Logger LOG = Logger.getLogger(ModelDeploymentGauges.class);

  static final long REFRESH_SECONDS = 5;

  /** One gauge: its name, help text and how its value follows from a ModelDeployment. */
  record Gauge(String name, String help, ToDoubleFunction<ModelDeployment> value) {}

  static final List<Gauge> GAUGES =
      List.of(
          new Gauge(
              "modelops.modeldeployment.revision",
              "The revision that serves all traffic (0 before the first one is ready).",
              m -> orZero(status(m).stableRevision)),
          new Gauge(
              "modelops.modeldeployment.replicas",
              "Runtime pods the ModelDeployment asks for, over all serving revisions.",
              m -> orZero(status(m).replicas)),
          new Gauge(
              "modelops.modeldeployment.ready.replicas",
              "Runtime pods that are ready, over all serving revisions.",
              m -> orZero(status(m).readyReplicas)),
          new Gauge(
              "modelops.modeldeployment.canary.weight",
              "Percent of traffic on the canary revision (0 when no canary runs).",
              m -> Optional.ofNullable(status(m).canary).map(c -> orZero(c.weight)).orElse(0.0)),
          new Gauge(
              "modelops.modeldeployment.available",
              "1 when the Available condition is True, else 0.",
              m -> conditionTrue(m, Conditions.AVAILABLE)),
          new Gauge(
              "modelops.modeldeployment.degraded",
              "1 when the Degraded condition is True, else 0.",
              m -> conditionTrue(m, Conditions.DEGRADED)));

  private final Map<Gauge, MultiGauge> gauges;
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("modeldeployment-gauges").unstarted(r));
  private final AtomicReference<Supplier<? extends Stream<ModelDeployment>>> source =
      new AtomicReference<>();

  public ModelDeploymentGauges(MeterRegistry registry) {
    this.gauges =
        GAUGES.stream()
            .collect(
                java.util.stream.Collectors.toUnmodifiableMap(
                    g -> g,
                    g -> MultiGauge.builder(g.name()).description(g.help()).register(registry)));
  }

  /**
   * Follows the ModelDeployments the supplier lists (the controller's cache, the same for every
   * reconcile): the first call starts a refresh every few seconds, later calls change nothing.
   */
  public void follow(Supplier<? extends Stream<ModelDeployment>> cache) {
    if (source.compareAndSet(null, cache)) {
      refresher.scheduleWithFixedDelay(this::refresh, 0, REFRESH_SECONDS, TimeUnit.SECONDS);
    }
  }

  private void refresh() {
    try {
      show(source.get().get().toList());
    } catch (RuntimeException e) {
      // A failed run must not end the schedule: the next one tries again.
      LOG.debugf("could not refresh the ModelDeployment gauges: %s", e.getMessage());
    }
  }

  /** One series per ModelDeployment given, and none for any other. */
  void show(List<ModelDeployment> all) {
    gauges.forEach((gauge, multi) -> multi.register(rows(gauge, all), true));
  }

  static List<MultiGauge.Row<?>> rows(Gauge gauge, Collection<ModelDeployment> all) {
    return all.stream()
        .<MultiGauge.Row<?>>map(m -> MultiGauge.Row.of(tags(m), gauge.value().applyAsDouble(m)))
        .toList();
  }

  static Tags tags(ModelDeployment m) {
    return Tags.of(
        "namespace", m.getMetadata().getNamespace(), "modeldeployment", m.getMetadata().getName());
  }

  private static ModelDeploymentStatus status(ModelDeployment m) {
    return Optional.ofNullable(m.getStatus()).orElseGet(ModelDeploymentStatus::new);
  }

  private static double orZero(Integer value) {
    return value == null ? 0 : value;
  }

  private static double conditionTrue(ModelDeployment m, String type) {
    return ConditionList.isTrue(status(m).conditions, type) ? 1 : 0;
  }

  @PreDestroy
  void stop() {
    refresher.shutdownNow();
  }
}
