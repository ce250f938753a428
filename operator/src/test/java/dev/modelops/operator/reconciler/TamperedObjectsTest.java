package dev.modelops.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.history.RevisionTemplate;
import dev.modelops.operator.rollout.RolloutDecider;
import dev.modelops.operator.rollout.RolloutInputs.ManualRequests;
import dev.modelops.operator.rollout.RolloutPlan;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Owned objects edited by hand (a revision label that is no number or names another revision, a
 * ControllerRevision whose data is no revision template) are read as what the operator made them,
 * or set aside and named: the reconcile goes on instead of failing on them forever.
 */
class TamperedObjectsTest {

  static final String T0 = "2026-12-02T01:00:00Z";

  static ModelDeployment mdep(String version) {
    ModelDeployment mdep = StatusAssemblerTest.mdep(1, 2);
    mdep.getMetadata().setUid("uid-idle");
    mdep.getSpec().model.version = version;
    return mdep;
  }

  static ControllerRevision controllerRevision(ModelDeployment mdep, int number, Object data) {
    String hash = RevisionTemplate.of(mdep).hash();
    Map<String, String> labels = Labels.revision(mdep, number);
    labels.put(Labels.TEMPLATE_HASH, hash);
    return new ControllerRevisionBuilder()
        .withNewMetadata()
        .withName(mdep.getMetadata().getName() + "-" + hash)
        .withUid("cr-" + number)
        .withResourceVersion("7")
        .withLabels(labels)
        .endMetadata()
        .withRevision((long) number)
        .withData(data)
        .build();
  }

  static ControllerRevision controllerRevision(ModelDeployment mdep, int number) {
    return controllerRevision(
        mdep, number, Serialization.unmarshal(RevisionTemplate.of(mdep).toJson(), Map.class));
  }

  static Deployment deployment(ModelDeployment mdep, int number, String revisionLabel) {
    Map<String, String> labels = new HashMap<>(Labels.revision(mdep, number));
    if (revisionLabel == null) {
      labels.remove(Labels.REVISION);
    } else {
      labels.put(Labels.REVISION, revisionLabel);
    }
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(Labels.deploymentName(mdep, number))
        .withUid("deploy-" + number)
        .withResourceVersion("9")
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withReplicas(2)
        .endSpec()
        .withNewStatus()
        .withReadyReplicas(2)
        .withUpdatedReplicas(2)
        .endStatus()
        .build();
  }

  static ModelDeploymentStatus stableOne() {
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.stableRevision = 1;
    return status;
  }

  static RolloutPlan decide(ObservedState state) {
    return RolloutDecider.decide(
        state.inputs(ManualRequests.NONE, Optional.empty(), Instant.parse(T0)));
  }

  @Test
  void aRevisionLabelThatIsNoNumberIsReadFromTheDeploymentsNameAndNamed() {
    ModelDeployment mdep = mdep("1");
    for (String label : new String[] {"abc", null, "99"}) {
      ObservedState state =
          ObservedState.from(
              mdep,
              stableOne(),
              List.of(controllerRevision(mdep, 1)),
              List.of(deployment(mdep, 1, label)),
              List.of());
      assertThat(state.deployments()).as("label %s", label).containsOnlyKeys(1);
      assertThat(decide(state).stable()).isEqualTo(1);
      assertThat(state.tampered())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.uid()).isEqualTo("deploy-1");
                assertThat(t.message())
                    .startsWith("Deployment idle-r1 has label modelops.dev/revision=")
                    .endsWith("instead of 1: it is put back");
              });
    }
  }

  @Test
  void anUntouchedDeploymentIsNotNamed() {
    ModelDeployment mdep = mdep("1");
    ObservedState state =
        ObservedState.from(
            mdep,
            stableOne(),
            List.of(controllerRevision(mdep, 1)),
            List.of(deployment(mdep, 1, "1")),
            List.of());
    assertThat(state.tampered()).isEmpty();
    assertThat(state.deployments()).containsOnlyKeys(1);
  }

  @Test
  void aControllerRevisionsRevisionLabelIsNamedAndItsNumberReadFromTheObject() {
    ModelDeployment mdep = mdep("1");
    ControllerRevision cr = controllerRevision(mdep, 1);
    cr.getMetadata().getLabels().put(Labels.REVISION, "abc");
    ObservedState state =
        ObservedState.from(
            mdep, stableOne(), List.of(cr), List.of(deployment(mdep, 1, "1")), List.of());
    assertThat(state.revisions().latest().number()).isEqualTo(1);
    assertThat(state.tampered())
        .singleElement()
        .satisfies(
            t ->
                assertThat(t.message())
                    .isEqualTo(
                        "ControllerRevision %s has label modelops.dev/revision=abc instead of 1: it is put back"
                            .formatted(cr.getMetadata().getName())));
  }

  @Test
  void theSpecsControllerRevisionWithDataThatIsNoTemplateIsWrittenAgainFromTheSpec() {
    ModelDeployment mdep = mdep("1");
    for (Object garbage : List.<Object>of(Map.of(), Map.of("model", Map.of()), "garbage")) {
      ObservedState state =
          ObservedState.from(
              mdep,
              stableOne(),
              List.of(controllerRevision(mdep, 1, garbage)),
              List.of(deployment(mdep, 1, "1")),
              List.of());
      assertThat(state.revisions().latest().number()).as("data %s", garbage).isEqualTo(1);
      assertThat(state.revisions().latest().template().model().uri)
          .isEqualTo("file:///models/m.onnx");
      assertThat(decide(state).stable()).isEqualTo(1);
      assertThat(state.tampered())
          .singleElement()
          .satisfies(
              t ->
                  assertThat(t.message())
                      .startsWith(
                          "ControllerRevision idle-%s of revision 1 holds no revision template"
                              .formatted(RevisionTemplate.of(mdep).hash()))
                      .endsWith("it is written again from the spec"));
    }
  }

  @Test
  void anOlderControllerRevisionThatCannotBeReadIsLeftAloneAndItsNumberNotReused() {
    ModelDeployment one = mdep("1");
    ModelDeployment two = mdep("2");
    ControllerRevision garbled = controllerRevision(one, 1, Map.of("model", Map.of()));
    ObservedState state =
        ObservedState.from(
            two,
            stableOne(),
            List.of(garbled, controllerRevision(two, 2)),
            List.of(deployment(one, 1, "1"), deployment(two, 2, "2")),
            List.of());
    assertThat(state.revisions().latest().number()).isEqualTo(2);
    assertThat(state.tampered())
        .singleElement()
        .satisfies(
            t ->
                assertThat(t.message())
                    .contains("of revision 1 holds no revision template")
                    .contains("left as it is")
                    .endsWith("number 1 is not used again"));

    // The spec moves on: the new revision is numbered past the one set aside.
    ObservedState three =
        ObservedState.from(
            mdep("3"), stableOne(), List.of(garbled), List.of(deployment(one, 1, "1")), List.of());
    assertThat(three.revisions().latest().number()).isEqualTo(2);
    ObservedState after =
        ObservedState.from(
            mdep("3"),
            stableOne(),
            List.of(garbled, controllerRevision(two, 2)),
            List.of(deployment(one, 1, "1")),
            List.of());
    assertThat(after.revisions().latest().number()).isEqualTo(3);
  }

  @Test
  void annotationsEditedByHandAreTakenAsTheyAreAndNeverFailTheReconcile() {
    ModelDeployment one = mdep("1");
    ModelDeployment two = mdep("2");
    ControllerRevision edited = controllerRevision(two, 2);
    edited
        .getMetadata()
        .setAnnotations(
            new HashMap<>(
                Map.of(
                    ObservedState.OUTCOME_ANNOTATION, "bogus",
                    ObservedState.OUTCOME_MESSAGE_ANNOTATION, "x".repeat(100_000),
                    ObservedState.SOURCE_ANNOTATION, "\u0000 not a source",
                    ObservedState.BASELINE_ANNOTATION, "{not json")));
    ObservedState state =
        ObservedState.from(
            two,
            stableOne(),
            List.of(controllerRevision(one, 1), edited),
            List.of(deployment(one, 1, "1")),
            List.of());
    var newest = state.revisions().latest();
    assertThat(newest.number()).isEqualTo(2);
    // A source the status cannot show (its enum failed every reconcile) is read as Spec.
    assertThat(newest.source()).isEqualTo("Spec");
    assertThat(newest.baseline()).as("a baseline that is no JSON").isEmpty();
    // An outcome, whatever its words, sets the revision aside: revision 1 keeps serving.
    assertThat(newest.outcome()).map(o -> o.kind() + "/" + o.reason()).contains("bogus/bogus");
    RolloutPlan plan = decide(state);
    assertThat(plan.stable()).isEqualTo(1);
    assertThat(state.tampered()).isEmpty();
    // The status is assembled, the revision shown with its outcome's words, capped.
    var summary =
        StatusAssembler.assemble(state, plan, 8080, T0).revisions.stream()
            .filter(r -> r.number == 2)
            .findFirst()
            .orElseThrow();
    assertThat(summary.source).hasToString("Spec");
    assertThat(summary.phase).isEqualTo("bogus");
    assertThat(summary.outcome.length()).isLessThanOrEqualTo(StatusMessage.MAX_LENGTH);
  }

  @Test
  void aRetrainingJobWhoseSequenceIsNoNumberIsNotCounted() {
    for (String sequence : new String[] {"abc", "", "1.5"}) {
      var job =
          new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
              .withNewMetadata()
              .withName("scorer-retrain-1")
              .withAnnotations(Map.of(RetrainingJobs.SEQUENCE_ANNOTATION, sequence))
              .withCreationTimestamp(T0)
              .endMetadata()
              .build();
      assertThat(RetrainingJobs.toObserved(job)).as("sequence %s", sequence).isEmpty();
    }
  }
}
