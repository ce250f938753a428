package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.RetrainingStatus;
import dev.modelops.operator.dependent.Labels;
import dev.modelops.operator.retraining.ObservedJob;
import dev.modelops.operator.retraining.RetrainingDecision.JobRequest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The retraining Jobs at the edge: read as {@link ObservedJob}s, their report read from their pods,
 * a new one built from spec.retraining.jobTemplate and created.
 */
final class RetrainingJobs {

  static final String SEQUENCE_ANNOTATION = "modelops.dev/retraining-sequence";
  static final String ATTEMPT_ANNOTATION = "modelops.dev/retraining-attempt";
  static final String COMPONENT = "retraining";

  /** The label the Job controller puts on a Job's pods. */
  static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";

  private RetrainingJobs() {}

  /**
   * This ModelDeployment's Jobs from the informer, and the one status names when the informer has
   * not seen it yet (just created): read from the API server, so a lagging cache never starts a
   * second.
   */
  static List<ObservedJob> observe(
      ModelDeployment mdep, Optional<RetrainingStatus> recorded, Context<ModelDeployment> context) {
    List<Job> jobs =
        new ArrayList<>(
            context
                .getSecondaryResourcesAsStream(Job.class)
                .filter(j -> Labels.belongsTo(mdep, j))
                .toList());
    Optional<String> named = recorded.map(r -> r.job).filter(Objects::nonNull);
    if (named.isPresent()
        && jobs.stream().noneMatch(j -> j.getMetadata().getName().equals(named.get()))) {
      Job live =
          context
              .getClient()
              .batch()
              .v1()
              .jobs()
              .inNamespace(mdep.getMetadata().getNamespace())
              .withName(named.get())
              .get();
      if (live != null && Labels.belongsTo(mdep, live)) {
        jobs.add(live);
      }
    }
    return jobs.stream()
        .filter(j -> j.getMetadata().getDeletionTimestamp() == null)
        .map(RetrainingJobs::toObserved)
        .flatMap(Optional::stream)
        .toList();
  }

  static Optional<ObservedJob> toObserved(Job job) {
    Map<String, String> annotations =
        Optional.ofNullable(job.getMetadata().getAnnotations()).orElse(Map.of());
    int sequence;
    int attempt;
    try {
      sequence = Integer.parseInt(annotations.getOrDefault(SEQUENCE_ANNOTATION, ""));
      attempt = Integer.parseInt(annotations.getOrDefault(ATTEMPT_ANNOTATION, "1"));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    Instant created =
        Optional.ofNullable(job.getMetadata().getCreationTimestamp())
            .map(Instant::parse)
            .orElse(Instant.now());
    List<JobCondition> conditions =
        job.getStatus() == null || job.getStatus().getConditions() == null
            ? List.of()
            : job.getStatus().getConditions();
    for (JobCondition c : conditions) {
      if (!"True".equals(c.getStatus())) {
        continue;
      }
      Optional<Instant> at = Optional.ofNullable(c.getLastTransitionTime()).map(Instant::parse);
      if ("Complete".equals(c.getType())) {
        return Optional.of(
            new ObservedJob(
                job.getMetadata().getName(),
                sequence,
                attempt,
                created,
                ObservedJob.State.SUCCEEDED,
                at,
                ""));
      }
      if ("Failed".equals(c.getType())) {
        String why =
            Objects.toString(c.getReason(), "")
                + (c.getMessage() == null ? "" : ": " + c.getMessage());
        return Optional.of(
            new ObservedJob(
                job.getMetadata().getName(),
                sequence,
                attempt,
                created,
                ObservedJob.State.FAILED,
                at,
                why));
      }
    }
    return Optional.of(
        ObservedJob.running(job.getMetadata().getName(), sequence, attempt, created));
  }

  /**
   * The report of a succeeded Job: the termination message of its succeeded pod's first container
   * (in the pod spec's order) that wrote one; "" when none did.
   */
  static String report(ModelDeployment mdep, String job, KubernetesClient client) {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(mdep.getMetadata().getNamespace())
            .withLabel(JOB_NAME_LABEL, job)
            .list()
            .getItems();
    return pods.stream()
        .filter(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .map(RetrainingJobs::message)
        .flatMap(Optional::stream)
        .findFirst()
        .orElse("");
  }

  private static Optional<String> message(Pod pod) {
    List<ContainerStatus> statuses =
        Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of());
    for (Container c : pod.getSpec().getContainers()) {
      Optional<String> m =
          statuses.stream()
              .filter(s -> c.getName().equals(s.getName()))
              .map(ContainerStatus::getState)
              .filter(s -> s != null && s.getTerminated() != null)
              .map(s -> s.getTerminated().getMessage())
              .filter(msg -> msg != null && !msg.isBlank())
              .findFirst();
      if (m.isPresent()) {
        return m;
      }
    }
    return Optional.empty();
  }

  /**
   * The Job of a request: the template's, owned by the ModelDeployment, labelled as its, with the
   * context in every container's environment (replacing a variable of the same name).
   */
  static Job desired(
      ModelDeployment mdep, JobTemplateSpec template, JobRequest request, Map<String, String> env) {
    JobTemplateSpec copy = Serialization.clone(template);
    ObjectMeta meta = Optional.ofNullable(copy.getMetadata()).orElseGet(ObjectMeta::new);
    Map<String, String> labels = new LinkedHashMap<>();
    Optional.ofNullable(meta.getLabels()).ifPresent(labels::putAll);
    labels.put(Labels.MANAGED_BY, Labels.OPERATOR);
    labels.put(Labels.DEPLOYMENT, mdep.getMetadata().getName());
    labels.put("app.kubernetes.io/component", COMPONENT);
    Map<String, String> annotations = new LinkedHashMap<>();
    Optional.ofNullable(meta.getAnnotations()).ifPresent(annotations::putAll);
    annotations.put(SEQUENCE_ANNOTATION, Integer.toString(request.sequence()));
    annotations.put(ATTEMPT_ANNOTATION, Integer.toString(request.attempt()));
    JobSpec spec = Optional.ofNullable(copy.getSpec()).orElseGet(JobSpec::new);
    PodTemplateSpec pod = Optional.ofNullable(spec.getTemplate()).orElseGet(PodTemplateSpec::new);
    PodSpec podSpec = Optional.ofNullable(pod.getSpec()).orElseGet(PodSpec::new);
    if (podSpec.getRestartPolicy() == null) {
      podSpec.setRestartPolicy("Never");
    }
    List<EnvVar> vars =
        env.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList();
    List<Container> all =
        new ArrayList<>(Optional.ofNullable(podSpec.getContainers()).orElse(List.of()));
    all.addAll(Optional.ofNullable(podSpec.getInitContainers()).orElse(List.of()));
    for (Container c : all) {
      List<EnvVar> mine = new ArrayList<>(Optional.ofNullable(c.getEnv()).orElse(List.of()));
      mine.removeIf(v -> env.containsKey(v.getName()));
      mine.addAll(vars);
      c.setEnv(mine);
    }
    pod.setSpec(podSpec);
    spec.setTemplate(pod);
    Job job = new Job();
    job.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(request.name())
            .withNamespace(mdep.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(annotations)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(mdep.getApiVersion())
                    .withKind(mdep.getKind())
                    .withName(mdep.getMetadata().getName())
                    .withUid(mdep.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build())
            .build());
    job.setSpec(spec);
    return job;
  }

  /** Creates the Job; one of the same name already there (a retried reconcile) is that Job. */
  static void create(Job job, KubernetesClient client) {
    try {
      client.resource(job).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }
}
