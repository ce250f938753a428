package dev.modelops.runtime.protocol;

import dev.modelops.runtime.config.RuntimeConfig;
import dev.modelops.runtime.inference.InferRequest;
import dev.modelops.runtime.inference.InferenceException;
import dev.modelops.runtime.inference.Inferencer;
import dev.modelops.runtime.inference.ModelSession;
import dev.modelops.runtime.inference.Tensor;
import dev.modelops.runtime.inference.TensorSpec;
import dev.modelops.runtime.metrics.RuntimeMetrics;
import dev.modelops.runtime.model.ModelRegistry;
import dev.modelops.runtime.model.ServedModel;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The KServe V2 / Open Inference Protocol REST endpoints. They all start on the Vert.x event loop
 * (none blocks); inference moves to a worker thread itself when the work is large.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
public class V2Resource {

  private static final Executor WORKERS = Infrastructure.getDefaultWorkerPool();

  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  @Inject ModelRegistry registry;
  @Inject Inferencer inferencer;
  @Inject RuntimeMetrics metrics;
  @Inject RuntimeConfig config;

  @GET
  public Map<String, Object> server() {
    return Map.of(
        "name",
        "modelops-runtime",
        "version",
        "0.1.0",
        "extensions",
        List.of("binary_tensor_data"));
  }

  @GET
  @Path("/health/live")
  public Response live() {
    return Response.ok().build();
  }

  @GET
  @Path("/health/ready")
  public Response ready() {
    ServedModel model = registry.model();
    return model.ready()
        ? Response.ok().build()
        : Response.status(503).entity(Map.of("error", "not ready: " + model.reason())).build();
  }

  @GET
  @Path("/models/{name}")
  public Map<String, Object> metadata(@PathParam("name") String name) {
    return metadata(name, null);
  }

  @GET
  @Path("/models/{name}/versions/{version}")
  public Map<String, Object> metadata(
      @PathParam("name") String name, @PathParam("version") String version) {
    ServedModel model = inferencer.model(name, version);
    ModelSession session =
        model
            .session()
            .orElseThrow(
                () ->
                    new InferenceException(
                        503, "not_ready", "model '" + name + "' is not ready: " + model.reason()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", model.name());
    out.put("versions", model.version().isEmpty() ? List.of() : List.of(model.version()));
    out.put("platform", "onnx_onnxv1");
    out.put("inputs", session.inputs().stream().map(V2Resource::spec).toList());
    out.put("outputs", session.outputs().stream().map(V2Resource::spec).toList());
    return out;
  }

  private static Map<String, Object> spec(TensorSpec s) {
    return Map.of("name", s.name(), "datatype", s.datatype().name(), "shape", s.shape());
  }

  @GET
  @Path("/models/{name}/ready")
  public Response modelReady(@PathParam("name") String name) {
    return modelReady(name, null);
  }

  @GET
  @Path("/models/{name}/versions/{version}/ready")
  public Response modelReady(@PathParam("name") String name, @PathParam("version") String version) {
    ServedModel model = inferencer.model(name, version);
    if (model.ready()) {
      return Response.ok(Map.of("name", model.name(), "ready", true)).build();
    }
    return Response.status(503)
        .entity(Map.of("name", model.name(), "ready", false, "error", model.reason()))
        .build();
  }

  @POST
  @Path("/models/{name}/infer")
  @Consumes(MediaType.WILDCARD)
  public CompletionStage<Response> infer(
      @PathParam("name") String name,
      @HeaderParam(HEADER_LENGTH) String headerLength,
      byte[] body) {
    return infer(name, null, headerLength, body);
  }

  /**
   * Decodes, checks, runs and encodes on the event loop when the request is small and the model
   * fast ({@link Inferencer#inline}), else on a worker thread; waiting for a batch holds no thread.
   */
  @POST
  @Path("/models/{name}/versions/{version}/infer")
  @Consumes(MediaType.WILDCARD)
  public CompletionStage<Response> infer(
      @PathParam("name") String name,
      @PathParam("version") String version,
      @HeaderParam(HEADER_LENGTH) String headerLength,
      byte[] body) {
    long start = System.nanoTime();
    String protocol = headerLength == null ? "json" : "binary";
    int size = body == null ? 0 : body.length;
    Executor executor = inferencer.inline(size) ? Runnable::run : WORKERS;
    return CompletableFuture.supplyAsync(() -> read(body, headerLength), executor)
        .thenCompose(
            request ->
                inferencer
                    .infer(name, version, request)
                    .thenApply(outputs -> respond(request, outputs)))
        .handle(
            (response, failure) -> {
              Duration took = Duration.ofNanos(System.nanoTime() - start);
              if (failure == null) {
                metrics.request(protocol, took, "success");
                return response;
              }
              InferenceException e = V2Errors.asInferenceException(failure);
              metrics.request(protocol, took, e.kind);
              return V2Errors.body(e.status, e.getMessage());
            });
  }

  private InferRequest read(byte[] body, String headerLength) {
    if (body == null || body.length == 0) {
      throw InferenceException.badRequest("the request body is empty");
    }
    if (body.length > config.maxRequestBytes()) {
      throw new InferenceException(
          413,
          "too_large",
          "the request body has %d bytes; the limit is %d"
              .formatted(body.length, config.maxRequestBytes()));
    }
    return InferRequestReader.read(body, parseLength(headerLength));
  }

  private Response respond(InferRequest request, Map<String, Tensor> outputs) {
    ServedModel model = registry.model();
    InferResponseWriter.Encoded encoded =
        InferResponseWriter.write(model.name(), model.version(), request, outputs);
    Response.ResponseBuilder response = Response.ok(encoded.body());
    if (encoded.jsonLength() != null) {
      response.header(HEADER_LENGTH, encoded.jsonLength()).type(MediaType.APPLICATION_OCTET_STREAM);
    } else {
      response.type(MediaType.APPLICATION_JSON);
    }
    return response.build();
  }

  private static Integer parseLength(String header) {
    if (header == null) {
      return null;
    }
    try {
      return Integer.parseInt(header.trim());
    } catch (NumberFormatException e) {
      throw InferenceException.badRequest(
          HEADER_LENGTH + " must be a number of bytes, got '" + header + "'");
    }
  }
}
