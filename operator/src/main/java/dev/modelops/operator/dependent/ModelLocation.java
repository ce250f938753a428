package dev.modelops.operator.dependent;

import java.net.URI;
import java.util.Optional;

/**
 * Where a pod finds its model: fetched over http(s) by the init step, read from a PVC mounted
 * read-only, or a file inside the image.
 */
public record ModelLocation(String fetchUri, Optional<String> claim, boolean needsFetch) {

  public static final String MODELS_DIR = "/models";
  public static final String MODEL_FILE = MODELS_DIR + "/model.onnx";
  public static final String PVC_MOUNT = "/model-source";

  /** Reads a spec URI; throws {@link IllegalArgumentException} with a message for the user. */
  public static ModelLocation parse(String uri) {
    return parse("spec.model.uri", uri, PVC_MOUNT);
  }

  /**
   * Reads the URI of the spec's field {@code field}; a claim's file is read where the claim is
   * mounted, at {@code mount}.
   */
  public static ModelLocation parse(String field, String uri, String mount) {
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " is not a valid URI: " + e.getMessage());
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme();
    return switch (scheme) {
      case "http", "https" -> new ModelLocation(uri, Optional.empty(), true);
      case "pvc" -> {
        String claim = parsed.getAuthority();
        String path = parsed.getPath() == null ? "" : parsed.getPath();
        if (claim == null || claim.isBlank() || path.length() <= 1) {
          throw new IllegalArgumentException(
              field + " must name a claim and a file: pvc://<claim>/<path>, got " + uri);
        }
        yield new ModelLocation("file://" + mount + path, Optional.of(claim), true);
      }
      case "file" -> new ModelLocation(uri, Optional.empty(), false);
      default ->
          throw new IllegalArgumentException(
              field + " scheme '" + scheme + "' is not supported: use http, https, pvc or file");
    };
  }

  /** The path the runtime loads the model from. */
  public String servedPath() {
    return needsFetch ? MODEL_FILE : URI.create(fetchUri).getPath();
  }
}
