package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;

/** The Job started when the inputs drift, and what to do with the model it makes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RetrainingSpec {

  public enum Promote {
    Canary,
    None
  }

  // Kept as a free-form object in the CRD: the full Job schema would make the CRD too large for
  // kubectl apply. The API server validates the Job when the operator creates it.
  @Required
  @PreserveUnknownFields
  @SchemaFrom(type = FreeFormObject.class)
  @JsonPropertyDescription(
      "batch/v1 JobTemplateSpec of the retraining Job (metadata and spec). Every container gets"
          + " MODELOPS_* environment variables describing the drift; the pod reports the new model"
          + " as JSON {\"uri\",\"sha256\",\"version\"} (at most 4096 bytes) in its first"
          + " container's termination message that has one.")
  public JobTemplateSpec jobTemplate;

  /** The schema of a field the API server does not check field by field. */
  static final class FreeFormObject {}

  @Pattern(ApiPatterns.DURATION)
  @Default("6h")
  @JsonPropertyDescription(
      "Least time from the start of one retraining Job to the next trigger, for example 6h. It also"
          + " caps the backoff between the retries of a failed Job (1m, 2m, 4m, ..., at most 1h).")
  public String cooldown = "6h";

  @Default("Canary")
  @JsonPropertyDescription(
      "Canary rolls the retrained model out with spec.rollout (a canary whose analysis can roll it"
          + " back); None only records it as a revision, served on request with"
          + " modelops.dev/rollback-to.")
  public Promote promote = Promote.Canary;
}
