package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.Conditions;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.config.OperatorConfig;
import dev.modelops.operator.dependent.ControllerRevisionsDependent;
import dev.modelops.operator.dependent.DisruptionBudgetDependent;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.dependent.RevisionDeploymentsDependent;
import dev.modelops.operator.dependent.ServiceDependent;
import dev.modelops.operator.metrics.ModelDeploymentGauges;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Serves each ModelDeployment: its revision history, one Deployment per serving revision, a
 * Service.
 */
@ControllerConfiguration(name = "modeldeployment")
@Workflow(
    dependents = {
      @Dependent(name = "revisions", type = ControllerRevisionsDependent.class),
      @Dependent(
          name = "deployments",
          type = RevisionDeploymentsDependent.class,
          dependsOn = "revisions"),
      @Dependent(name = "service", type = ServiceDependent.class),
      @Dependent(name = "disruption-budget", type = DisruptionBudgetDependent.class)
    })
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {

  private static final Logger LOG = Logger.getLogger(ModelDeploymentReconciler.class);

  /** The MDC key of the serving revision on decision log lines (JOSDK adds the resource's name). */
  static final String REVISION_MDC = "modelops.revision";

  @Inject OperatorConfig config;

  @Inject ModelDeploymentGauges gauges;

  /**
   * The status last patched per resource: the informer's copy of the primary can lag one patch
   * behind, and judging decisions against it would announce them twice.
   */
  private final Map<String, ModelDeploymentStatus> published = new ConcurrentHashMap<>();

  @Override
  public List<EventSource<?, ModelDeployment>> prepareEventSources(
      EventSourceContext<ModelDeployment> context) {
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, ModelDeployment.class)
            .withName("pods")
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .withSecondaryToPrimaryMapper(
                pod ->
                    Optional.ofNullable(pod.getMetadata().getLabels())
                        .map(l -> l.get(Labels.DEPLOYMENT))
                        .map(name -> Set.of(new ResourceID(name, pod.getMetadata().getNamespace())))
                        .orElse(Set.of()))
            .build();
    return List.of(new InformerEventSource<>(pods, context));
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(
      ModelDeployment mdep, Context<ModelDeployment> context) {
    gauges.follow(() -> context.getPrimaryCache().list());
    ObservedState state = ObservedState.of(mdep, context);
    ModelDeploymentStatus status = StatusAssembler.assemble(state, config.runtimePort(), now());
    return publish(mdep, status, context);
  }

  @Override
  public ErrorStatusUpdateControl<ModelDeployment> updateErrorStatus(
      ModelDeployment mdep, Context<ModelDeployment> context, Exception e) {
    LOG.warnf(
        "%s/%s: reconcile failed: %s",
        mdep.getMetadata().getNamespace(), mdep.getMetadata().getName(), e.getMessage());
    ModelDeploymentStatus previous =
        Optional.ofNullable(mdep.getStatus()).orElseGet(ModelDeploymentStatus::new);
    ModelDeploymentStatus status = Serialization.clone(previous);
    ConditionList conditions =
        new ConditionList(previous.conditions, mdep.getMetadata().getGeneration(), now());
    previous.conditions.stream()
        .filter(c -> !Conditions.DEGRADED.equals(c.getType()))
        .forEach(
            c ->
                conditions.set(
                    c.getType(), "True".equals(c.getStatus()), c.getReason(), c.getMessage()));
    conditions.set(
        Conditions.DEGRADED,
        true,
        "ReconcileError",
        "the operator could not apply the spec, retrying: " + e.getMessage());
    status.conditions = conditions.build();
    if (Objects.equals(status, previous)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    mdep.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(mdep);
  }

  /** Patches status only when it changed, and records an Event for each decision. */
  private UpdateControl<ModelDeployment> publish(
      ModelDeployment mdep, ModelDeploymentStatus status, Context<ModelDeployment> context) {
    if (same(mdep.getStatus(), status)) {
      return UpdateControl.noUpdate();
    }
    String uid = mdep.getMetadata().getUid();
    ModelDeploymentStatus before = published.getOrDefault(uid, mdep.getStatus());
    List<DecisionEvents.Decision> decisions =
        same(before, status) ? List.of() : DecisionEvents.between(mdep, before, status);
    published.put(uid, status);
    forgetDeleted(context);
    MDC.put(REVISION_MDC, Objects.toString(status.stableRevision, "none"));
    try {
      for (DecisionEvents.Decision d : decisions) {
        LOG.infof(
            "%s/%s revision %s: %s: %s",
            mdep.getMetadata().getNamespace(),
            mdep.getMetadata().getName(),
            status.stableRevision,
            d.reason(),
            d.message());
        record(mdep, d, context);
      }
    } finally {
      MDC.remove(REVISION_MDC);
    }
    ModelDeployment patch = new ModelDeployment();
    patch.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(mdep.getMetadata().getName())
            .withNamespace(mdep.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch);
  }

  /** Drops what was published for ModelDeployments that are gone from the cache. */
  private void forgetDeleted(Context<ModelDeployment> context) {
    Set<String> live =
        context
            .getPrimaryCache()
            .list()
            .map(m -> m.getMetadata().getUid())
            .collect(java.util.stream.Collectors.toSet());
    published.keySet().retainAll(live);
  }

  private static void record(
      ModelDeployment mdep, DecisionEvents.Decision d, Context<ModelDeployment> context) {
    String time = now();
    try {
      context
          .getClient()
          .v1()
          .events()
          .inNamespace(mdep.getMetadata().getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withGenerateName(mdep.getMetadata().getName() + ".")
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(mdep.getApiVersion())
                  .withKind(mdep.getKind())
                  .withName(mdep.getMetadata().getName())
                  .withNamespace(mdep.getMetadata().getNamespace())
                  .withUid(mdep.getMetadata().getUid())
                  .endInvolvedObject()
                  .withType(d.type())
                  .withReason(d.reason())
                  .withMessage(d.message())
                  .withFirstTimestamp(time)
                  .withLastTimestamp(time)
                  .withCount(1)
                  .withNewSource()
                  .withComponent("modelops-operator")
                  .endSource()
                  .build())
          .create();
    } catch (RuntimeException e) {
      LOG.debugf("could not record event %s: %s", d.reason(), e.getMessage());
    }
  }

  private static boolean same(ModelDeploymentStatus a, ModelDeploymentStatus b) {
    return a != null && b != null && Serialization.asJson(a).equals(Serialization.asJson(b));
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
