package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.Conditions;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.RetrainingSpec;
import dev.modelops.operator.api.v1alpha1.RetrainingStatus;
import dev.modelops.operator.config.OperatorConfig;
import dev.modelops.operator.dependent.ControllerRevisionsDependent;
import dev.modelops.operator.dependent.DisruptionBudgetDependent;
import dev.modelops.operator.dependent.HttpRouteDependent;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.dependent.NetworkPolicyDependent;
import dev.modelops.operator.dependent.NetworkPolicyWanted;
import dev.modelops.operator.dependent.RevisionDeploymentsDependent;
import dev.modelops.operator.dependent.RevisionServicesDependent;
import dev.modelops.operator.dependent.RoutedByGateway;
import dev.modelops.operator.dependent.ServiceDependent;
import dev.modelops.operator.drift.DriftDecider;
import dev.modelops.operator.drift.DriftVerdict;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionTemplate;
import dev.modelops.operator.metrics.ModelDeploymentGauges;
import dev.modelops.operator.retraining.JobEnvironment;
import dev.modelops.operator.retraining.ObservedJob;
import dev.modelops.operator.retraining.RetrainingDecider;
import dev.modelops.operator.retraining.RetrainingDecision;
import dev.modelops.operator.retraining.RetrainingInputs;
import dev.modelops.operator.rollout.RolloutDecider;
import dev.modelops.operator.rollout.RolloutInputs;
import dev.modelops.operator.rollout.RolloutPlan;
import dev.modelops.operator.rollout.Timestamps;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Service, a PodDisruptionBudget and a NetworkPolicy.
 */
// Not generation-aware: a modelops.dev/ annotation (promote, rollback-to) must wake the reconciler,
// and annotations do not move a custom resource's generation.
@ControllerConfiguration(name = "modeldeployment", generationAwareEventProcessing = false)
// Invoked explicitly: the dependents apply the plan this reconcile decided once.
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "revisions", type = ControllerRevisionsDependent.class),
      @Dependent(
          name = "deployments",
          type = RevisionDeploymentsDependent.class,
          dependsOn = "revisions"),
      @Dependent(name = "service", type = ServiceDependent.class),
      @Dependent(name = "revision-services", type = RevisionServicesDependent.class),
      @Dependent(
          name = "http-route",
          type = HttpRouteDependent.class,
          activationCondition = RoutedByGateway.class,
          dependsOn = "revision-services"),
      @Dependent(name = "disruption-budget", type = DisruptionBudgetDependent.class),
      @Dependent(
          name = "network-policy",
          type = NetworkPolicyDependent.class,
          reconcilePrecondition = NetworkPolicyWanted.class)
    })
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {

  private static final Logger LOG = Logger.getLogger(ModelDeploymentReconciler.class);

  /** The MDC key of the serving revision on decision log lines (JOSDK adds the resource's name). */
  static final String REVISION_MDC = "modelops.revision";

  /** The field manager of the status, as JOSDK names it after the controller. */
  static final String FIELD_MANAGER = "modeldeployment";

  @Inject OperatorConfig config;

  @Inject ModelDeploymentGauges gauges;

  @Inject CanaryAnalysis analysis;

  @Inject DriftReader driftReader;
  @Inject ExecutionProviders executionProviders;

  /**
   * The resourceVersion of this operator's last write to each ModelDeployment (its status, or the
   * removal of a request annotation). The informer's copy can lag behind it; deciding on that copy
   * would act twice (a promote annotation already removed, a step already taken).
   */
  private final Map<String, Long> written = new ConcurrentHashMap<>();

  static final java.time.Duration FORGET_INTERVAL = java.time.Duration.ofSeconds(10);

  /** When forgetDeleted last looked, in System.nanoTime; the first reconcile looks at once. */
  private final java.util.concurrent.atomic.AtomicLong lastForgotten =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - FORGET_INTERVAL.toNanos());

  /**
   * The owned objects found edited by hand and reported, per ModelDeployment: each version of one
   * is reported once (by this process: a restarted operator reports what is still not repaired).
   */
  private final Map<String, Set<String>> reportedTampering = new ConcurrentHashMap<>();

  /** How soon a reconcile that found the cache behind its own write looks again. */
  static final Duration STALE_RETRY = Duration.ofSeconds(1);

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
    var jobs =
        InformerEventSourceConfiguration.from(Job.class, ModelDeployment.class)
            .withName("retraining-jobs")
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .withSecondaryToPrimaryMapper(
                job ->
                    Optional.ofNullable(job.getMetadata().getLabels())
                        .map(l -> l.get(Labels.DEPLOYMENT))
                        .map(name -> Set.of(new ResourceID(name, job.getMetadata().getNamespace())))
                        .orElse(Set.of()))
            .build();
    return List.of(
        new InformerEventSource<>(pods, context), new InformerEventSource<>(jobs, context));
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(
      ModelDeployment mdep, Context<ModelDeployment> context) {
    gauges.follow(() -> context.getPrimaryCache().list());
    Instant now = Instant.now();
    if (behindOwnWrite(mdep)) {
      // The event of that write is on its way and wakes the reconciler with what it wrote.
      LOG.debugf(
          "%s/%s: the cache is behind the operator's last write; waiting for it",
          mdep.getMetadata().getNamespace(), mdep.getMetadata().getName());
      return UpdateControl.<ModelDeployment>noUpdate().rescheduleAfter(STALE_RETRY);
    }
    ModelDeploymentStatus recorded = mdep.getStatus();
    ObservedState state = ObservedState.of(mdep, recorded, context);
    DriftVerdict drift =
        DriftDecider.decide(
            mdep.getSpec().drift,
            driftReader.read(state, now),
            Optional.ofNullable(state.recorded().drift),
            ConditionList.find(state.recorded().conditions, Conditions.DRIFT_DETECTED)
                .map(c -> new DriftVerdict.Condition(c.getStatus(), c.getReason(), c.getMessage())),
            now);
    RetrainingDecision retraining = RetrainingDecision.NONE;
    RolloutPlan plan;
    if (state.invalidSpec().isPresent()) {
      plan = state.hold();
    } else {
      retraining = retraining(state, drift, context, now);
      ObservedState decided = retraining.revision().map(state::withRetrained).orElse(state);
      Optional<RolloutInputs.Check> check = analysis.measure(decided, now);
      plan =
          RolloutDecider.decide(
              decided.inputs(
                  RolloutInputs.ManualRequests.of(mdep.getMetadata().getAnnotations()),
                  check,
                  now));
      state = decided;
    }
    var workflow = context.managedWorkflowAndDependentResourceContext();
    workflow.put(RolloutPlan.class, plan);
    workflow.reconcileManagedWorkflow();
    reportTampered(mdep, state.tampered(), context);
    if (state.invalidSpec().isEmpty()) {
      analysis.remember(state, plan, now);
    }
    createJob(mdep, state, plan, drift, retraining, context);
    ModelDeploymentStatus status =
        StatusAssembler.assemble(
            state, plan, drift, retraining, config.runtimePort(), Timestamps.seconds(now));
    if (state.invalidSpec().isEmpty()) {
      Map<String, Integer> providers = executionProviders.of(state, plan.stable());
      status.executionProviders = providers.isEmpty() ? null : providers;
    }
    publish(mdep, recorded, status, plan, retraining, context);
    ManualRequestAnnotations.remove(mdep, plan.handled(), context.getClient())
        .ifPresent(removed -> wrote(mdep, removed));
    UpdateControl<ModelDeployment> control = UpdateControl.noUpdate();
    Optional<Duration> next = earliest(plan.requeueAfter(), retraining.requeueAfter());
    if (mdep.getSpec().drift != null) {
      Duration interval = DriftReader.interval(mdep.getSpec().drift);
      next = Optional.of(next.filter(d -> d.compareTo(interval) < 0).orElse(interval));
    }
    return next.map(control::rescheduleAfter).orElse(control);
  }

  private static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
    if (a.isEmpty()) {
      return b;
    }
    return b.filter(d -> d.compareTo(a.get()) < 0).or(() -> a);
  }

  /** Decides retraining from the Jobs that exist and this reconcile's drift verdict. */
  private RetrainingDecision retraining(
      ObservedState state, DriftVerdict drift, Context<ModelDeployment> context, Instant now) {
    ModelDeployment mdep = state.mdep();
    RetrainingSpec spec = mdep.getSpec().retraining;
    if (spec == null) {
      return RetrainingDecision.NONE;
    }
    Optional<RetrainingStatus> recorded = Optional.ofNullable(state.recorded().retraining);
    List<ObservedJob> jobs = RetrainingJobs.observe(mdep, recorded, context);
    Optional<String> report =
        RetrainingDecider.reportWanted(jobs, recorded)
            ? Optional.of(
                RetrainingJobs.report(
                    mdep, RetrainingDecider.newest(jobs).orElseThrow().name(), context.getClient()))
            : Optional.empty();
    Optional<io.fabric8.kubernetes.api.model.Condition> recordedDrift =
        ConditionList.find(state.recorded().conditions, Conditions.DRIFT_DETECTED);
    Optional<Instant> driftSince =
        drift
            .condition()
            .filter(DriftVerdict.Condition::isTrue)
            .map(
                c ->
                    recordedDrift
                        .filter(r -> "True".equals(r.getStatus()))
                        .map(r -> Instant.parse(r.getLastTransitionTime()))
                        .orElse(now));
    return RetrainingDecider.decide(
        new RetrainingInputs(
            spec,
            driftSince,
            drift.condition().map(DriftVerdict.Condition::message).orElse(""),
            jobs,
            report,
            recorded,
            ConditionList.find(state.recorded().conditions, Conditions.RETRAINING)
                .map(
                    c ->
                        new RolloutPlan.Condition(
                            "True".equals(c.getStatus()), c.getReason(), c.getMessage())),
            state.recorded().canary != null,
            Optional.ofNullable(state.recorded().stableRevision),
            RevisionTemplate.of(mdep),
            Optional.ofNullable(mdep.getSpec().model.baseline),
            state.revisions().kept(),
            state.revisions().highestNumber(),
            mdep.getMetadata().getName(),
            now));
  }

  /** Creates the Job the retraining decision asked for, before the status that names it. */
  private void createJob(
      ModelDeployment mdep,
      ObservedState state,
      RolloutPlan plan,
      DriftVerdict drift,
      RetrainingDecision retraining,
      Context<ModelDeployment> context) {
    if (retraining.create().isEmpty()) {
      return;
    }
    var request = retraining.create().get();
    Revision serving = plan.revision(plan.stable()).orElse(state.revisions().latest());
    String modelName = Labels.modelName(mdep, serving);
    Map<String, String> env =
        JobEnvironment.of(
            mdep.getMetadata().getNamespace(),
            mdep.getMetadata().getName(),
            modelName,
            serving,
            drift.status(),
            ServiceDependent.endpoint(mdep, config.runtimePort(), modelName),
            request.attempt());
    RetrainingJobs.create(
        RetrainingJobs.desired(mdep, mdep.getSpec().retraining.jobTemplate, request, env),
        context.getClient());
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

  /** Whether the informer's copy is older than what this operator last wrote. */
  private boolean behindOwnWrite(ModelDeployment mdep) {
    Long last = written.get(mdep.getMetadata().getUid());
    return last != null && resourceVersion(mdep) < last;
  }

  private void wrote(ModelDeployment mdep, ModelDeployment result) {
    written.merge(mdep.getMetadata().getUid(), resourceVersion(result), Math::max);
  }

  /** The resourceVersion as a number (etcd's revision), or MAX_VALUE to trust the cache. */
  private static long resourceVersion(ModelDeployment mdep) {
    try {
      return Long.parseLong(mdep.getMetadata().getResourceVersion());
    } catch (NumberFormatException | NullPointerException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Patches status when it changed, then records an Event for each decision. */
  private void publish(
      ModelDeployment mdep,
      ModelDeploymentStatus recorded,
      ModelDeploymentStatus status,
      RolloutPlan plan,
      RetrainingDecision retraining,
      Context<ModelDeployment> context) {
    if (same(recorded, status)) {
      return;
    }
    List<RolloutPlan.Event> decisions = new ArrayList<>(retraining.events());
    decisions.addAll(plan.events());
    decisions.addAll(DecisionEvents.between(mdep, recorded, status));
    ModelDeployment patch = new ModelDeployment();
    patch.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(mdep.getMetadata().getName())
            .withNamespace(mdep.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    ModelDeployment result =
        context
            .getClient()
            .resource(patch)
            .subresource("status")
            .patch(
                new PatchContext.Builder()
                    .withPatchType(PatchType.SERVER_SIDE_APPLY)
                    .withFieldManager(FIELD_MANAGER)
                    .withForce(true)
                    .build());
    wrote(mdep, result);
    forgetDeleted(context);
    MDC.put(REVISION_MDC, Objects.toString(status.stableRevision, "none"));
    try {
      for (RolloutPlan.Event d : decisions) {
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
  }

  /**
   * Forgets the ModelDeployments that are gone from the cache, at most every {@link
   * #FORGET_INTERVAL}: listing the cache in every reconcile made the reconciles of N
   * ModelDeployments cost N squared (3% of the operator's CPU at 1,000, operator/bench/scale.sh
   * with a flight recording). What is kept of a deleted one a little longer is keyed by its uid,
   * which no other ModelDeployment has.
   */
  private void forgetDeleted(Context<ModelDeployment> context) {
    long now = System.nanoTime();
    long last = lastForgotten.get();
    if (now - last < FORGET_INTERVAL.toNanos() || !lastForgotten.compareAndSet(last, now)) {
      return;
    }
    Set<String> live =
        context
            .getPrimaryCache()
            .list()
            .map(m -> m.getMetadata().getUid())
            .collect(java.util.stream.Collectors.toSet());
    written.keySet().retainAll(live);
    reportedTampering.keySet().retainAll(live);
    analysis.retain(live);
    driftReader.retain(live);
    executionProviders.retain(live);
  }

  /** A Warning Event and a log line for each owned object edited by hand, once per version. */
  private void reportTampered(
      ModelDeployment mdep, List<TamperedObject> tampered, Context<ModelDeployment> context) {
    if (tampered.isEmpty()) {
      return;
    }
    Set<String> reported =
        reportedTampering.computeIfAbsent(
            mdep.getMetadata().getUid(), uid -> ConcurrentHashMap.newKeySet());
    for (TamperedObject t : tampered) {
      if (reported.add(t.key())) {
        LOG.warnf(
            "%s/%s: %s: %s",
            mdep.getMetadata().getNamespace(),
            mdep.getMetadata().getName(),
            TamperedObject.REASON,
            t.message());
        record(mdep, new RolloutPlan.Event("Warning", TamperedObject.REASON, t.message()), context);
      }
    }
  }

  private static void record(
      ModelDeployment mdep, RolloutPlan.Event d, Context<ModelDeployment> context) {
    try {
      context
          .getClient()
          .v1()
          .events()
          .inNamespace(mdep.getMetadata().getNamespace())
          .resource(DecisionEvents.kubernetesEvent(mdep, d, now()))
          .create();
    } catch (RuntimeException e) {
      LOG.debugf("could not record event %s: %s", d.reason(), e.getMessage());
    }
  }

  private static boolean same(ModelDeploymentStatus a, ModelDeploymentStatus b) {
    return a != null && b != null && Serialization.asJson(a).equals(Serialization.asJson(b));
  }

  private static String now() {
    return Timestamps.seconds(Instant.now());
  }
}
