package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.SecretKeySelector;

/** Bearer-token authentication of the runtime's V2 endpoints. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.tokenSecretRef.name) && self.tokenSecretRef.name != ''",
    message =
        "spec.runtime.auth.tokenSecretRef.name is required: the Secret, in the ModelDeployment's"
            + " namespace, that holds the token",
    fieldPath = ".tokenSecretRef.name",
    reason = "FieldValueRequired")
@ValidationRule(
    value = "!has(self.tokenSecretRef.optional) || !self.tokenSecretRef.optional",
    message =
        "spec.runtime.auth.tokenSecretRef.optional cannot be true: without the token the pods"
            + " would not start (they never serve unauthenticated when auth is set)",
    fieldPath = ".tokenSecretRef.optional",
    reason = "FieldValueForbidden")
public class AuthSpec {

  @Required
  @JsonPropertyDescription(
      "The Secret key whose value is the token. Every V2 endpoint but /v2/health/live,"
          + " /v2/health/ready and the drift report then answers only requests with the header"
          + " 'Authorization: Bearer <token>', others get a 401. Whitespace around the value (a"
          + " trailing newline) is not part of the token. The kubelet puts it into the runtime's"
          + " environment: the operator never reads Secrets, and the pod spec names the Secret,"
          + " not the token. A change rolls every revision's pods, and makes no new revision; a"
          + " rollback keeps the current setting.")
  public SecretKeySelector tokenSecretRef;
}
