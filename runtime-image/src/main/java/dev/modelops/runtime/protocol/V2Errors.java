package dev.modelops.runtime.protocol;

import dev.modelops.runtime.inference.InferenceException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as a V2 error body, {"error": "..."}, never as a stack trace. */
public class V2Errors {

  private static final Logger LOG = Logger.getLogger(V2Errors.class);

  @ServerExceptionMapper
  public Response inference(InferenceException e) {
    return body(e.status, e.getMessage());
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
    String message =
        switch (status) {
          case 404 -> "no such endpoint; see /v2 for the protocol";
          case 405 -> "method not allowed on this endpoint";
          case 413 -> "the request body is too large";
          case 415 -> "unsupported media type";
          default -> e.getMessage() == null ? "request failed" : e.getMessage();
        };
    return body(status, message);
  }

  @ServerExceptionMapper
  public Response unexpected(Exception e) {
    LOG.errorf(e, "unexpected failure");
    return body(500, "internal error: " + e.getClass().getSimpleName());
  }

  /**
   * What a failed inference future carries, as the error it answers with: an {@link
   * InferenceException} as it is, anything else (a defect) logged and answered as a 500.
   */
  static InferenceException asInferenceException(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof InferenceException e) {
      return e;
    }
    LOG.errorf(cause, "unexpected failure");
    return new InferenceException(
        500, "internal", "internal error: " + cause.getClass().getSimpleName());
  }

  /** The V2 error body as JSON text. */
  static String json(String message) {
    return new io.vertx.core.json.JsonObject().put("error", message).encode();
  }

  static Response body(int status, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", message))
        .build();
  }
}
