package dev.modelops.operator.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelSource;
import dev.modelops.operator.api.v1alpha1.RuntimeSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What makes one revision differ from another: the model and the pod template inputs. The replica
 * count is left out, so scaling never makes a revision; so is the model's drift baseline, which
 * changes what the pods compare their inputs with but not what they serve (it is kept with the
 * revision instead, see {@link Revision#baseline()}). Who may reach the pods is no part of a
 * revision either: the token ({@code runtime.auth}) and the NetworkPolicy are the ModelDeployment's
 * own, the same for every revision, so that a rollback to a revision made before them never opens
 * the endpoint again.
 */
public record RevisionTemplate(ModelSource model, RuntimeSpec runtime) {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .build()
          .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

  /** Copies both parts, so later edits of the spec objects cannot change a template. */
  public RevisionTemplate {
    model = JSON.convertValue(model, ModelSource.class);
    if (model != null) {
      model.baseline = null;
    }
    runtime = JSON.convertValue(runtime == null ? new RuntimeSpec() : runtime, RuntimeSpec.class);
    runtime.replicas = null;
    runtime.auth = null;
    runtime.networkPolicy = null;
  }

  public static RevisionTemplate of(ModelDeployment mdep) {
    return new RevisionTemplate(mdep.getSpec().model, mdep.getSpec().runtime);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a revision template", e);
    }
  }

  /** Reads a template back; one without a model URI (edited by hand) is refused, saying so. */
  public static RevisionTemplate fromJson(String json) {
    RevisionTemplate template;
    try {
      template = JSON.readValue(json, RevisionTemplate.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a revision template: " + e.getOriginalMessage(), e);
    }
    if (template == null || template.model() == null || template.model().uri == null) {
      throw new IllegalArgumentException("no model.uri");
    }
    return template;
  }

  /** Whether the JSON is a revision template ({@link #fromJson} reads it). */
  public static boolean readable(String json) {
    try {
      fromJson(json);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A short, stable digest of the template, for labels and names. */
  public String hash() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(toJson().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
