package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last modelops.dev/ annotation the operator acted on, and what it did. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ManualAction {

  @JsonPropertyDescription("The annotation and its value, for example modelops.dev/rollback-to=3.")
  public String request;

  @JsonPropertyDescription("Done or Refused.")
  public String result;

  @JsonPropertyDescription("What the operator did, or why it did nothing.")
  public String message;

  @JsonPropertyDescription("When, RFC 3339.")
  public String time;
}
