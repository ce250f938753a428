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
      "batch/v1 JobTemplateSpec of the retraining Job (metadata and spec). Its pod reports the new "
          + "model as JSON {\"uri\",\"sha256\",\"version\"} in its termination message.")
  public JobTemplateSpec jobTemplate;

  /** The schema of a field the API server does not check field by field. */
  static final class FreeFormObject {}

  @Pattern(ApiPatterns.DURATION)
  @Default("6h")
  @JsonPropertyDescription("Least time between two retraining Jobs, for example 6h.")
  public String cooldown = "6h";

  @Default("Canary")
  @JsonPropertyDescription(
      "Canary rolls the retrained model out as a canary; None only records it.")
  public Promote promote = Promote.Canary;
}
