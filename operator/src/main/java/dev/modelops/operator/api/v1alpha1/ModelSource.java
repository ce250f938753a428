package dev.modelops.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;

/** Where a model comes from and how to check it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!(self.uri.startsWith('http://') || self.uri.startsWith('https://')) || has(self.sha256)",
    message = "spec.model.sha256 is required when spec.model.uri is an http(s) URI",
    fieldPath = ".sha256",
    reason = "FieldValueRequired")
@ValidationRule(
    value =
        "!(self.uri.startsWith('pvc://') || self.uri.startsWith('file://'))"
            + " || !self.uri.matches('/[.][.](/|$)')",
    message =
        "spec.model.uri must not climb out of its claim or directory with '..': name the file's"
            + " own path",
    fieldPath = ".uri",
    reason = "FieldValueInvalid")
@ValidationRule(
    value =
        "!has(self.maxSize) || (isQuantity(string(self.maxSize))"
            + " && quantity(string(self.maxSize)).isGreaterThan(quantity('0')))",
    message = "spec.model.maxSize must be a positive quantity of bytes, such as 500Mi or 20Gi",
    fieldPath = ".maxSize",
    reason = "FieldValueInvalid")
public class ModelSource {

  @Size(max = 63)
  @Pattern("^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$")
  @JsonPropertyDescription(
      "Name served on /v2/models/{name}. Defaults to metadata.name. Letters, digits, '-', '_', '.'.")
  public String name;

  @Size(max = 63)
  @Pattern(ApiPatterns.LABEL_VALUE)
  @JsonPropertyDescription(
      "Version of the model, shown in status and served on /v2/models/{name}/versions/{version}."
          + " A label value (app.kubernetes.io/version on the pods): at most 63 letters, digits,"
          + " '-', '_' and '.', starting and ending with a letter or digit.")
  public String version;

  @JsonPropertyDescription(
      "A Secret's key whose value is sent as the HTTP Authorization header when the model and its"
          + " baseline are fetched over http(s), for example 'Bearer <token>' or 'Basic <base64>'."
          + " The kubelet puts it into the fetch steps' environment: the operator never reads"
          + " Secrets. With it, redirects are not followed (the header would go elsewhere). Keep"
          + " tokens out of uri: status and Events show uri without user info and query, but the"
          + " pods' spec holds it whole.")
  public SecretKeySelector authorizationSecretRef;

  @Required
  @Size(max = 2048)
  @Pattern(ApiPatterns.MODEL_URI)
  @JsonPropertyDescription(
      "Location of the ONNX file: https://host/path/model.onnx, http://..., pvc://<claim>/<path> "
          + "(mounted read-only) or file:///path inside the runtime image.")
  public String uri;

  @Pattern(ApiPatterns.SHA256)
  @JsonPropertyDescription(
      "SHA-256 of the model file, 64 lowercase hex characters. Required for http(s) URIs; the "
          + "pods refuse to serve a file whose digest differs.")
  public String sha256;

  @JsonPropertyDescription(
      "The largest model (and baseline) file the pods download, a quantity such as 500Mi or 20Gi;"
          + " default 8Gi. A larger file fails the pods' fetch step (ModelFetchFailed) instead of"
          + " filling the node's disk; it is also the sizeLimit of the volume the model is"
          + " downloaded to.")
  public Quantity maxSize;

  @JsonPropertyDescription(
      "Feature statistics of the training data (the runtime's baseline file), the reference for"
          + " drift detection. Fetched and checked by each pod's init step like the model, but"
          + " not part of the revision: changing it makes no new revision and no canary, the"
          + " pods of the spec's revision are replaced in a rolling update.")
  public BaselineSource baseline;
}
