package dev.modelops.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.Conditions;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionPlan;
import dev.modelops.operator.history.RevisionTemplate;
import dev.modelops.operator.rollout.RolloutDecider;
import dev.modelops.operator.rollout.RolloutInputs.ManualRequests;
import dev.modelops.operator.rollout.RolloutPlan;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The status worked out from what the informers hold, at a fixed time. */
class StatusAssemblerTest {

  static final String T0 = "2026-12-02T01:00:00Z";
  static final String T1 = "2026-12-02T01:00:05Z";

  static ModelDeployment mdep(long generation, int replicas) {
    ModelDeployment mdep = new ModelDeployment();
    mdep.setMetadata(
        new ObjectMetaBuilder()
            .withName("idle")
            .withNamespace("default")
            .withGeneration(generation)
            .build());
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.model = new ModelSource();
    spec.model.uri = "file:///models/m.onnx";
    spec.runtime.replicas = replicas;
    mdep.setSpec(spec);
    return mdep;
  }

  /** Revision 1's Deployment as the deployment controller reports it. */
  static Deployment deployment(long generation, Long observedGeneration, int ready) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("idle-r1")
        .withGeneration(generation)
        .endMetadata()
        .withNewStatus()
        .withObservedGeneration(observedGeneration)
        .withReadyReplicas(ready)
        .withUpdatedReplicas(ready)
        .endStatus()
        .build();
  }

  static ObservedState state(ModelDeployment mdep, Deployment revisionOne) {
    RevisionTemplate template = RevisionTemplate.of(mdep);
    Revision one = new Revision(1, template.hash(), template, "Spec", T0);
    RevisionPlan plan = new RevisionPlan(one, false, List.of(one));
    return new ObservedState(
        mdep,
        Optional.ofNullable(mdep.getStatus()).orElseGet(ModelDeploymentStatus::new),
        List.of(one),
        Map.of(1, revisionOne),
        List.of(),
        Optional.empty(),
        plan,
        List.of());
  }

  static ModelDeploymentStatus assemble(ObservedState state, String now) {
    RolloutPlan plan =
        RolloutDecider.decide(
            state.inputs(ManualRequests.NONE, Optional.empty(), Instant.parse(now)));
    return StatusAssembler.assemble(state, plan, 8080, now);
  }

  @Test
  void aRevisionsUriIsShownWithoutItsCredentials() {
    ModelDeployment mdep = mdep(1, 2);
    mdep.getSpec().model.uri = "https://bob:pw@models.example/m.onnx?X-Amz-Signature=tok3n";
    ModelDeploymentStatus status = assemble(state(mdep, deployment(1, 1L, 2)), T0);
    assertThat(status.revisions)
        .singleElement()
        .satisfies(r -> assertThat(r.uri).isEqualTo("https://***@models.example/m.onnx?***"));
  }

  @Test
  void allPodsReadyIsAvailableAndRolledOut() {
    ModelDeployment mdep = mdep(1, 2);
    ModelDeploymentStatus status = assemble(state(mdep, deployment(1, 1L, 2)), T0);
    assertThat(ConditionList.isTrue(status.conditions, Conditions.AVAILABLE)).isTrue();
    assertThat(ConditionList.isTrue(status.conditions, Conditions.PROGRESSING)).isFalse();
    assertThat(status.readyReplicas).isEqualTo(2);
    assertThat(status.observedGeneration).isEqualTo(1);
  }

  @Test
  void aDeploymentTouchedByAnotherPartyDoesNotFlipTheStatusBeforeItsControllerLooks() {
    ModelDeployment mdep = mdep(1, 2);
    ModelDeploymentStatus settled = assemble(state(mdep, deployment(1, 1L, 2)), T0);
    mdep.setStatus(settled);
    // kubectl annotate moved the Deployment to generation 2; its status still speaks of 1.
    assertThat(assemble(state(mdep, deployment(2, 1L, 2)), T1))
        .usingRecursiveComparison()
        .isEqualTo(settled);
    // Once the controller has looked, still the same.
    ModelDeploymentStatus looked = assemble(state(mdep, deployment(2, 2L, 2)), T1);
    assertThat(looked).usingRecursiveComparison().isEqualTo(settled);
  }

  @Test
  void aNewSpecIsJudgedAtOnceEvenWhileItsDeploymentIsNotYetObserved() {
    ModelDeployment mdep = mdep(1, 2);
    mdep.setStatus(assemble(state(mdep, deployment(1, 1L, 2)), T0));
    ModelDeployment scaled = mdep(2, 3);
    scaled.setStatus(mdep.getStatus());
    ModelDeploymentStatus status = assemble(state(scaled, deployment(2, 1L, 2)), T1);
    assertThat(status.observedGeneration).isEqualTo(2);
    assertThat(status.replicas).isEqualTo(3);
    assertThat(ConditionList.find(status.conditions, Conditions.PROGRESSING).orElseThrow())
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getMessage()).isEqualTo("revision 1 is coming up: 2/3 pods ready");
            });
  }

  @Test
  void theRetrainingDecisionIsTheRetrainingConditionAndStatusAndGoesWithItsSpec() {
    ModelDeployment mdep = mdep(1, 1);
    ObservedState state = state(mdep, deployment(1, 1L, 1));
    RolloutPlan plan =
        RolloutDecider.decide(
            state.inputs(ManualRequests.NONE, Optional.empty(), Instant.parse(T0)));
    dev.modelops.operator.api.v1alpha1.RetrainingStatus retraining =
        new dev.modelops.operator.api.v1alpha1.RetrainingStatus();
    retraining.job = "idle-retrain-1";
    retraining.phase = "Running";
    var decision =
        new dev.modelops.operator.retraining.RetrainingDecision(
            Optional.empty(),
            Optional.of(new RolloutPlan.Condition(true, "JobRunning", "Job idle-retrain-1 runs")),
            Optional.of(retraining),
            Optional.empty(),
            List.of(),
            Optional.empty());
    ModelDeploymentStatus status =
        StatusAssembler.assemble(
            state, plan, dev.modelops.operator.drift.DriftVerdict.NONE, decision, 8080, T0);
    assertThat(ConditionList.find(status.conditions, Conditions.RETRAINING))
        .get()
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("JobRunning");
              assertThat(c.getObservedGeneration()).isEqualTo(1L);
            });
    assertThat(status.retraining.job).isEqualTo("idle-retrain-1");

    // Without spec.retraining the decision is NONE: no condition, no status.retraining.
    mdep.setStatus(status);
    ModelDeploymentStatus without = assemble(state(mdep, deployment(1, 1L, 1)), T1);
    assertThat(ConditionList.find(without.conditions, Conditions.RETRAINING)).isEmpty();
    assertThat(without.retraining).isNull();
  }
}
