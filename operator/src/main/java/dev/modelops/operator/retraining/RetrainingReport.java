package dev.modelops.operator.retraining;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.operator.api.v1alpha1.ApiPatterns;
import dev.modelops.operator.api.v1alpha1.BaselineSource;
import dev.modelops.operator.dependent.ModelLocation;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The model a retraining Job made, as its pod reports it in a container's termination message:
 * {@code {"uri","sha256","version"}}, and optionally {@code "baseline": {"uri","sha256"}}, the
 * drift baseline of the data it learnt (the new revision's pods measure drift against it, and
 * canary analysis compares its predictions with the labels it gives as outputs).
 */
public record RetrainingReport(
    String uri, String sha256, String version, Optional<BaselineSource> baseline) {

  public RetrainingReport(String uri, String sha256, String version) {
    this(uri, sha256, version, Optional.empty());
  }

  /** The kubelet keeps at most 4096 bytes of a termination message; more is not a report. */
  public static final int MAX_BYTES = 4096;

  /** As spec.model.version allows. */
  static final int MAX_VERSION = 63;

  /** As spec.model.uri allows. */
  static final int MAX_URI = 2048;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A report read, or why the message is not one. */
  public sealed interface Parsed {
    record Valid(RetrainingReport report) implements Parsed {}

    record Invalid(String problem) implements Parsed {}
  }

  /** Reads a termination message; never throws. */
  public static Parsed parse(String message) {
    if (message == null || message.isBlank()) {
      return new Parsed.Invalid("no termination message: the report is missing");
    }
    int bytes = message.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      return new Parsed.Invalid(
          "the termination message has %d bytes; a report has at most %d"
              .formatted(bytes, MAX_BYTES));
    }
    JsonNode node;
    try {
      node = JSON.readTree(message);
    } catch (JsonProcessingException e) {
      return new Parsed.Invalid("the termination message is not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      return new Parsed.Invalid(
          "the termination message is not a JSON object {\"uri\",\"sha256\",\"version\"}");
    }
    for (String field : new String[] {"uri", "sha256", "version"}) {
      if (!node.hasNonNull(field)) {
        return new Parsed.Invalid(field + ": required");
      }
      if (!node.get(field).isTextual()) {
        return new Parsed.Invalid(field + ": must be a string");
      }
    }
    String uri = node.get("uri").asText();
    String sha256 = node.get("sha256").asText();
    String version = node.get("version").asText();
    Optional<String> wrongModel = wrongLocation("", uri, sha256);
    if (wrongModel.isPresent()) {
      return new Parsed.Invalid(wrongModel.get());
    }
    // The revision's pods carry the version as a label value, as spec.model.version's pattern asks.
    if (version.isBlank()
        || version.length() > MAX_VERSION
        || !version.matches(ApiPatterns.LABEL_VALUE)) {
      return new Parsed.Invalid(
          ("version: '%s' is not a label value of at most %d characters (letters, digits, '-', '_'"
                  + " and '.', beginning and ending with a letter or digit)")
              .formatted(shorten(version), MAX_VERSION));
    }
    Optional<BaselineSource> baseline = Optional.empty();
    if (node.has("baseline") && !node.get("baseline").isNull()) {
      JsonNode b = node.get("baseline");
      if (!b.isObject() || !b.path("uri").isTextual() || !b.path("sha256").isTextual()) {
        return new Parsed.Invalid(
            "baseline: must be an object {\"uri\",\"sha256\"} of two strings");
      }
      Optional<String> wrong =
          wrongLocation("baseline.", b.get("uri").asText(), b.get("sha256").asText());
      if (wrong.isPresent()) {
        return new Parsed.Invalid(wrong.get());
      }
      BaselineSource source = new BaselineSource();
      source.uri = b.get("uri").asText();
      source.sha256 = b.get("sha256").asText();
      baseline = Optional.of(source);
    }
    return new Parsed.Valid(new RetrainingReport(uri, sha256, version, baseline));
  }

  /** What is wrong with a reported file's uri and sha256, the fields named with {@code prefix}. */
  private static Optional<String> wrongLocation(String prefix, String uri, String sha256) {
    if (uri.length() > MAX_URI || !uri.matches(ApiPatterns.MODEL_URI)) {
      return Optional.of(
          "%suri: '%s' is not an http, https, pvc or file URI of at most %d characters"
              .formatted(prefix, shorten(ModelLocation.redacted(uri)), MAX_URI));
    }
    try {
      ModelLocation.parse(prefix + "uri", uri, ModelLocation.PVC_MOUNT);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if ((uri.startsWith("pvc://") || uri.startsWith("file://"))
        && uri.matches(".*/[.][.](/.*)?$")) {
      return Optional.of(prefix + "uri: must not climb out of its claim or directory with '..'");
    }
    if (!sha256.matches(ApiPatterns.SHA256)) {
      return Optional.of(
          "%ssha256: '%s' is not 64 lowercase hex characters".formatted(prefix, shorten(sha256)));
    }
    return Optional.empty();
  }

  private static String shorten(String s) {
    return s.length() <= 80 ? s : s.substring(0, 79) + "…";
  }
}
