package dev.modelops.operator.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.AuthSpec;
import dev.modelops.operator.api.v1alpha1.BaselineSource;
import dev.modelops.operator.api.v1alpha1.GpuSpec;
import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.api.v1alpha1.NetworkPolicySpec;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RevisionPlanTest {

  static RevisionTemplate template(String version, int replicas) {
    ModelSource model = new ModelSource();
    model.uri = "https://models.example/m/" + version + ".onnx";
    model.sha256 = "b".repeat(64);
    model.version = version;
    RuntimeSpec runtime = new RuntimeSpec();
    runtime.replicas = replicas;
    runtime.gpu = new GpuSpec();
    return new RevisionTemplate(model, runtime);
  }

  @Test
  void templateSurvivesTheRoundTripThroughAControllerRevision() {
    RevisionTemplate t = template("1", 2);
    assertThat(RevisionTemplate.fromJson(t.toJson()).hash()).isEqualTo(t.hash());
  }

  @Test
  void scalingMakesNoNewRevision() {
    assertThat(template("1", 2).hash()).isEqualTo(template("1", 5).hash());
    assertThat(template("1", 2).hash()).isNotEqualTo(template("2", 2).hash());
  }

  @Test
  void authAndTheNetworkPolicyMakeNoNewRevision() {
    RevisionTemplate t = template("1", 1);
    RuntimeSpec runtime = new RuntimeSpec();
    runtime.gpu = new GpuSpec();
    runtime.auth = new AuthSpec();
    runtime.auth.tokenSecretRef = new SecretKeySelector("token", "s", null);
    runtime.networkPolicy = new NetworkPolicySpec();
    runtime.networkPolicy.enabled = false;
    RevisionTemplate guarded = new RevisionTemplate(t.model(), runtime);
    assertThat(guarded.hash()).isEqualTo(t.hash());
    assertThat(guarded.toJson()).doesNotContain("auth").doesNotContain("networkPolicy");
  }

  @Test
  void aNewBaselineIsTheSameRevisionCarryingIt() {
    RevisionTemplate t = template("1", 1);
    Revision stored = new Revision(1, t.hash(), t, "Spec", null);
    RevisionTemplate withBaseline = template("1", 1);
    withBaseline.model().baseline = new BaselineSource();
    withBaseline.model().baseline.uri = "https://models.example/m/1-baseline.json";
    RevisionTemplate copied = new RevisionTemplate(withBaseline.model(), withBaseline.runtime());
    BaselineSource baseline = new BaselineSource();
    baseline.uri = "https://models.example/m/1-baseline.json";
    baseline.sha256 = "c".repeat(64);

    RevisionPlan plan =
        RevisionPlan.decide(List.of(stored), copied, 10, Optional.of(1))
            .withBaseline(Optional.of(baseline));
    assertThat(plan.latest().number()).isEqualTo(1);
    assertThat(plan.latestIsNew()).isFalse();
    assertThat(plan.latest().baseline()).contains(baseline);
    assertThat(plan.kept())
        .singleElement()
        .satisfies(r -> assertThat(r.baseline()).contains(baseline));
    // Rolled back to, a revision keeps the baseline it had.
    assertThat(plan.latest().renumbered(2, "Rollback").baseline()).contains(baseline);
  }

  @Test
  void firstSpecIsRevisionOneAndAnUnchangedSpecStaysIt() {
    RevisionPlan first = RevisionPlan.decide(List.of(), template("1", 1), 10, Optional.empty());
    assertThat(first.latest().number()).isEqualTo(1);
    assertThat(first.latestIsNew()).isTrue();

    Revision stored =
        new Revision(1, first.latest().hash(), first.latest().template(), "Spec", null);
    RevisionPlan again = RevisionPlan.decide(List.of(stored), template("1", 3), 10, Optional.of(1));
    assertThat(again.latest().number()).isEqualTo(1);
    assertThat(again.latestIsNew()).isFalse();
  }

  @Test
  void newSpecGetsTheNextNumberAndOldOnesAreTrimmedButNotTheStable() {
    List<Revision> history = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      RevisionTemplate t = template(Integer.toString(i), 1);
      history.add(new Revision(i, t.hash(), t, "Spec", null));
    }
    RevisionPlan plan = RevisionPlan.decide(history, template("5", 1), 2, Optional.of(1));
    assertThat(plan.latest().number()).isEqualTo(5);
    assertThat(plan.kept()).extracting(Revision::number).containsExactly(1, 4, 5);
  }

  @Test
  void returningToAnEarlierSpecReusesItsRevisionUnderTheNextNumber() {
    RevisionTemplate one = template("1", 1);
    RevisionTemplate two = template("2", 1);
    List<Revision> history =
        List.of(
            new Revision(1, one.hash(), one, "Spec", null),
            new Revision(2, two.hash(), two, "Spec", null));
    RevisionPlan plan = RevisionPlan.decide(history, template("1", 1), 10, Optional.of(2));
    // As a Deployment's old ReplicaSet becomes its newest revision again.
    assertThat(plan.latest().number()).isEqualTo(3);
    assertThat(plan.latest().hash()).isEqualTo(one.hash());
    assertThat(plan.latestIsNew()).isFalse();
  }

  @Test
  void aSpecThatGoesBackToAnOlderRevisionMakesItTheNewestAgain() {
    List<Revision> history = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      RevisionTemplate t = template(Integer.toString(i), 1);
      history.add(new Revision(i, t.hash(), t, "Spec", null));
    }
    RevisionPlan plan = RevisionPlan.decide(history, template("1", 1), 10, Optional.of(3));
    assertThat(plan.latest().number()).isEqualTo(4);
    assertThat(plan.newest().template().model().version).isEqualTo("1");
    assertThat(plan.kept()).extracting(Revision::number).containsExactly(2, 3, 4);
  }

  @Test
  void aSpecThatGoesBackToTheStableRevisionSupersedesTheNewerOnes() {
    List<Revision> history = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      RevisionTemplate t = template(Integer.toString(i), 1);
      history.add(new Revision(i, t.hash(), t, "Spec", null));
    }
    RevisionPlan plan = RevisionPlan.decide(history, template("1", 1), 10, Optional.of(1));
    assertThat(plan.latest().number()).isEqualTo(1);
    assertThat(plan.find(3).orElseThrow().outcome().orElseThrow().kind()).isEqualTo("Superseded");
    assertThat(plan.find(2).orElseThrow().outcome().orElseThrow().kind()).isEqualTo("Superseded");
  }

  @Test
  void aSpecThatNamesAFailedRevisionLeavesItFailed() {
    RevisionTemplate one = template("1", 1);
    RevisionTemplate two = template("2", 1);
    List<Revision> history =
        List.of(
            new Revision(1, one.hash(), one, "Spec", null)
                .marked(new Revision.Outcome("Failed", "AnalysisFailed", "error rate")),
            new Revision(2, two.hash(), two, "Spec", null));
    RevisionPlan plan = RevisionPlan.decide(history, one, 10, Optional.of(2));
    assertThat(plan.latest().number()).isEqualTo(1);
    assertThat(plan.newest().number()).isEqualTo(2);
  }

  @Test
  void aRetrainedRevisionNewerThanTheSpecsLeavesTheSpecsRevisionAsItIs() {
    RevisionTemplate spec = template("1", 1);
    RevisionTemplate retrained = template("1-retrained", 1);
    Revision one = new Revision(1, spec.hash(), spec, "Spec", null);
    Revision two = new Revision(2, retrained.hash(), retrained, "Retraining", null);

    // Rolling out (stable 1): the unchanged spec is no revert, nothing is superseded.
    RevisionPlan rolling = RevisionPlan.decide(List.of(one, two), spec, 10, Optional.of(1));
    assertThat(rolling.latest().number()).isEqualTo(1);
    assertThat(rolling.newest().number()).isEqualTo(2);
    assertThat(rolling.kept()).noneMatch(Revision::marked);

    // Promoted (stable 2): the spec's revision is not made the newest again.
    RevisionPlan promoted = RevisionPlan.decide(List.of(one, two), spec, 10, Optional.of(2));
    assertThat(promoted.latest().number()).isEqualTo(1);
    assertThat(promoted.newest().number()).isEqualTo(2);
    assertThat(promoted.latestIsNew()).isFalse();

    // A new spec still makes a new revision that rolls out.
    RevisionPlan changed =
        RevisionPlan.decide(List.of(one, two), template("3", 1), 10, Optional.of(2));
    assertThat(changed.latest().number()).isEqualTo(3);
    assertThat(changed.latestIsNew()).isTrue();
  }

  @Test
  void aSpecRevertedPastARetrainedRevisionStillSupersedesTheNewerSpecRevisions() {
    RevisionTemplate spec = template("1", 1);
    Revision one = new Revision(1, spec.hash(), spec, "Spec", null);
    RevisionTemplate r = template("1-retrained", 1);
    Revision two = new Revision(2, r.hash(), r, "Retraining", null);
    RevisionTemplate next = template("3", 1);
    Revision three = new Revision(3, next.hash(), next, "Spec", null);
    RevisionPlan plan = RevisionPlan.decide(List.of(one, two, three), spec, 10, Optional.of(1));
    assertThat(plan.latest().number()).isEqualTo(1);
    assertThat(plan.find(3)).get().extracting(Revision::marked).isEqualTo(true);
  }

  @Test
  void withRetrainedAddsTheRevisionAsTheNewest() {
    RevisionTemplate spec = template("1", 1);
    RevisionPlan plan = RevisionPlan.decide(List.of(), spec, 10, Optional.empty());
    RevisionTemplate r = template("1-retrained", 1);
    RevisionPlan more = plan.withRetrained(new Revision(2, r.hash(), r, "Retraining", null));
    assertThat(more.newest().number()).isEqualTo(2);
    assertThat(more.latest().number()).isEqualTo(1);
  }
}
