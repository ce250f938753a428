package dev.modelops.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentSpec;
import dev.modelops.operator.retraining.ObservedJob;
import dev.modelops.operator.retraining.RetrainingDecision.JobRequest;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpecBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The retraining Job built from the template, and a Job read back, without a cluster. */
class RetrainingJobsTest {

  static ModelDeployment mdep() {
    ModelDeployment m = new ModelDeployment();
    m.setMetadata(
        new ObjectMetaBuilder().withName("iris").withNamespace("team").withUid("u-1").build());
    m.setSpec(new ModelDeploymentSpec());
    return m;
  }

  static JobTemplateSpec template() {
    return new JobTemplateSpecBuilder()
        .withNewMetadata()
        .addToLabels("team", "ml")
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withNewTemplate()
        .withNewSpec()
        .addNewContainer()
        .withName("train")
        .withImage("trainer:1")
        .addNewEnv()
        .withName("MODELOPS_ATTEMPT")
        .withValue("the user's")
        .endEnv()
        .addNewEnv()
        .withName("DATA")
        .withValue("/data")
        .endEnv()
        .endContainer()
        .addNewContainer()
        .withName("sidecar")
        .withImage("sidecar:1")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  @Test
  void theJobIsTheTemplatesOwnedLabelledAndEveryContainerGetsTheContext() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MODELOPS_MODEL_NAME", "iris");
    env.put("MODELOPS_ATTEMPT", "2");
    JobTemplateSpec template = template();
    Job job = RetrainingJobs.desired(mdep(), template, new JobRequest("iris-retrain-3", 3, 2), env);

    assertThat(job.getMetadata().getName()).isEqualTo("iris-retrain-3");
    assertThat(job.getMetadata().getNamespace()).isEqualTo("team");
    assertThat(job.getMetadata().getLabels())
        .containsEntry("team", "ml")
        .containsEntry("modelops.dev/deployment", "iris")
        .containsEntry("app.kubernetes.io/managed-by", "modelops-operator");
    assertThat(job.getMetadata().getAnnotations())
        .containsEntry("modelops.dev/retraining-sequence", "3")
        .containsEntry("modelops.dev/retraining-attempt", "2");
    assertThat(job.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getUid()).isEqualTo("u-1");
              assertThat(o.getController()).isTrue();
            });
    var pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getContainers())
        .allSatisfy(
            c ->
                assertThat(c.getEnv())
                    .contains(new EnvVar("MODELOPS_MODEL_NAME", "iris", null))
                    .contains(new EnvVar("MODELOPS_ATTEMPT", "2", null))
                    .doesNotContain(new EnvVar("MODELOPS_ATTEMPT", "the user's", null)));
    assertThat(pod.getContainers().get(0).getEnv()).contains(new EnvVar("DATA", "/data", null));
    var podMeta = job.getSpec().getTemplate().getMetadata();
    assertThat(podMeta == null || podMeta.getLabels() == null ? Map.of() : podMeta.getLabels())
        .as("the pods carry no modelops.dev/deployment label: the Service must not select them")
        .doesNotContainKey("modelops.dev/deployment");
    assertThat(template.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .as("the spec's template is not changed")
        .hasSize(2);
  }

  static Job observed(String conditionType, String reason) {
    JobBuilder b =
        new JobBuilder()
            .withNewMetadata()
            .withName("iris-retrain-2")
            .withCreationTimestamp("2026-12-02T01:00:00Z")
            .addToAnnotations("modelops.dev/retraining-sequence", "2")
            .addToAnnotations("modelops.dev/retraining-attempt", "1")
            .endMetadata();
    if (conditionType != null) {
      b.withNewStatus()
          .addNewCondition()
          .withType(conditionType)
          .withStatus("True")
          .withReason(reason)
          .withLastTransitionTime("2026-12-02T01:02:00Z")
          .endCondition()
          .endStatus();
    }
    return b.build();
  }

  @Test
  void aJobIsReadAsRunningSucceededOrFailed() {
    assertThat(RetrainingJobs.toObserved(observed(null, null)))
        .get()
        .satisfies(
            j -> {
              assertThat(j.state()).isEqualTo(ObservedJob.State.RUNNING);
              assertThat(j.sequence()).isEqualTo(2);
              assertThat(j.createdAt()).isEqualTo(Instant.parse("2026-12-02T01:00:00Z"));
            });
    assertThat(RetrainingJobs.toObserved(observed("Complete", null)))
        .get()
        .extracting(ObservedJob::state)
        .isEqualTo(ObservedJob.State.SUCCEEDED);
    assertThat(RetrainingJobs.toObserved(observed("Failed", "BackoffLimitExceeded")))
        .get()
        .satisfies(
            j -> {
              assertThat(j.state()).isEqualTo(ObservedJob.State.FAILED);
              assertThat(j.failure()).startsWith("BackoffLimitExceeded");
              assertThat(j.finishedAt()).contains(Instant.parse("2026-12-02T01:02:00Z"));
            });
    Job foreign = observed(null, null);
    foreign.getMetadata().getAnnotations().remove("modelops.dev/retraining-sequence");
    assertThat(RetrainingJobs.toObserved(foreign)).as("not one of ours").isEmpty();
  }
}
