package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One served revision, as recorded in its ControllerRevision. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RevisionSummary {

  public enum Source {
    Spec,
    Retraining,
    Rollback
  }

  @JsonPropertyDescription("Revision number, counting from 1.")
  public Integer number;

  @JsonPropertyDescription("spec.model.version of the revision.")
  public String modelVersion;

  @JsonPropertyDescription("spec.model.uri of the revision.")
  public String uri;

  @JsonPropertyDescription("spec.model.sha256 of the revision.")
  public String sha256;

  @JsonPropertyDescription("What made the revision: Spec, Retraining or Rollback.")
  public Source source;

  @JsonPropertyDescription(
      "Serving, Canary, RollingOut, Superseded, Failed or RolledBack (the last two are not rolled"
          + " out again until the spec changes or modelops.dev/rollback-to names them).")
  public String phase;

  @JsonPropertyDescription("Why the revision failed, was rolled back from or superseded.")
  public String outcome;

  @JsonPropertyDescription("When the revision was created, RFC 3339.")
  public String createdAt;
}
