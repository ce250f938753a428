package dev.modelops.operator.dependent;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

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
      // The parser's own message quotes the whole URI, credentials and all: only its reason.
      String reason =
          e.getCause() instanceof URISyntaxException syntax ? syntax.getReason() : "not parsable";
      throw new IllegalArgumentException(
          field + " is not a valid URI (" + reason + "): " + redacted(uri));
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme();
    return switch (scheme) {
      case "http", "https" -> new ModelLocation(uri, Optional.empty(), true);
      case "pvc" -> {
        String claim = parsed.getAuthority();
        String path = parsed.getPath() == null ? "" : parsed.getPath();
        if (claim == null || claim.isBlank() || path.length() <= 1) {
          throw new IllegalArgumentException(
              field + " must name a claim and a file: pvc://<claim>/<path>, got " + redacted(uri));
        }
        yield new ModelLocation("file://" + mount + path, Optional.of(claim), true);
      }
      case "file" -> new ModelLocation(uri, Optional.empty(), false);
      default ->
          throw new IllegalArgumentException(
              field + " scheme '" + scheme + "' is not supported: use http, https, pvc or file");
    };
  }

  private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");

  /**
   * A URI as status, Events and logs show it: its user info and its query (a presigned URL's token)
   * may be credentials, so each is replaced by {@code ***}. Works on strings that are no valid URI
   * too (they are shown in the error that says so).
   */
  public static String redacted(String uri) {
    if (uri == null) {
      return null;
    }
    String shown = USER_INFO.matcher(uri).replaceFirst("$1***@");
    int query = shown.indexOf('?');
    int fragment = shown.indexOf('#');
    int cut = query >= 0 ? query : fragment;
    return cut < 0 ? shown : shown.substring(0, cut) + (query >= 0 ? "?***" : "");
  }

  /** The path the runtime loads the model from. */
  public String servedPath() {
    return needsFetch ? MODEL_FILE : URI.create(fetchUri).getPath();
  }
}
