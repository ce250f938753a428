package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Where the training data's feature statistics are, for drift detection. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!(self.uri.startsWith('http://') || self.uri.startsWith('https://')) || has(self.sha256)",
    message =
        "spec.model.baseline.sha256 is required when spec.model.baseline.uri is an http(s) URI",
    fieldPath = ".sha256",
    reason = "FieldValueRequired")
public class BaselineSource {

  @Required
  @Pattern(ApiPatterns.MODEL_URI)
  @JsonPropertyDescription(
      "Location of the baseline statistics file (same schemes as spec.model.uri).")
  public String uri;

  @Pattern(ApiPatterns.SHA256)
  @JsonPropertyDescription("SHA-256 of the baseline file; required for http(s) URIs.")
  public String sha256;
}
