package dev.modelops.runtime.inference;

/**
 * A request the server refuses or cannot complete, with the HTTP status the V2 error body goes out
 * with: 4xx for what the caller sent, 500 for a failure inside the model, 503 when not ready.
 */
public class InferenceException extends RuntimeException {

  /**
   * What the metrics count it as: bad_request, not_found, too_large, model_error, not_ready, or
   * internal (a defect of this server).
   */
  public final String kind;

  public final int status;

  public InferenceException(int status, String kind, String message) {
    super(message, null, false, false);
    this.status = status;
    this.kind = kind;
  }

  public static InferenceException badRequest(String message) {
    return new InferenceException(400, "bad_request", message);
  }

  public static InferenceException notFound(String message) {
    return new InferenceException(404, "not_found", message);
  }
}
