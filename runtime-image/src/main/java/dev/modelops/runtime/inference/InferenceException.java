package dev.modelops.runtime.inference;

/**
 * A request the server refuses or cannot complete, with the HTTP status the V2 error body goes out
 * with: 4xx for what the caller sent, 429 past an admission bound, 500 for a failure inside the
 * model, 503 when not ready or past the queue's deadline.
 */
public class InferenceException extends RuntimeException {

  /**
   * What the metrics count it as: bad_request, not_found, too_large, overloaded (past an admission
   * bound), deadline_exceeded, model_error, not_ready, or internal (a defect of this server); a
   * request refused for want of the bearer token is counted as unauthorized ({@code BearerAuth}).
   */
  public final String kind;

  public final int status;

  /** The {@code Retry-After} to answer with, in seconds; 0 for none. */
  public final long retryAfterSeconds;

  public InferenceException(int status, String kind, String message) {
    this(status, kind, message, 0);
  }

  public InferenceException(int status, String kind, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.kind = kind;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * A request refused past an admission bound: 429, which the route answers as 503 while the server
   * drains, so the client tries another pod. {@code bound} is what the metrics count.
   */
  public static Rejected overloaded(String bound, String message) {
    return new Rejected(429, "overloaded", bound, message);
  }

  /** A request that waited in the batch queue past its deadline, and was not run. */
  public static Rejected deadlineExceeded(String message) {
    return new Rejected(503, "deadline_exceeded", "queue_deadline", message);
  }

  /** Refused by admission control, with which bound; the client may retry in a second. */
  public static final class Rejected extends InferenceException {
    public final String bound;

    Rejected(int status, String kind, String bound, String message) {
      super(status, kind, message, 1);
      this.bound = bound;
    }
  }

  public static InferenceException badRequest(String message) {
    return new InferenceException(400, "bad_request", message);
  }

  public static InferenceException notFound(String message) {
    return new InferenceException(404, "not_found", message);
  }
}
