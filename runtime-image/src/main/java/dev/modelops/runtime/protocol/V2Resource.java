package dev.modelops.runtime.protocol;

import dev.modelops.runtime.drift.DriftMonitor;
import dev.modelops.runtime.drift.DriftReport;
import dev.modelops.runtime.inference.InferenceException;
import dev.modelops.runtime.inference.Inferencer;
import dev.modelops.runtime.inference.ModelSession;
import dev.modelops.runtime.inference.TensorSpec;
import dev.modelops.runtime.model.ServedModel;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The KServe V2 / Open Inference Protocol REST endpoints but inference, which {@link InferRoute}
 * serves. They all run on the Vert.x event loop: none blocks. The health endpoints answer from
 * SmallRye Health's checks ({@code ModelHealth}), the same ones behind {@code /q/health}.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking
public class V2Resource {

  @Inject SmallRyeHealthReporter health;
  @Inject Inferencer inferencer;
  @Inject DriftMonitor drift;

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

  /** SmallRye Health's liveness checks, as the V2 protocol answers: 200, or 503 with the reason. */
  @GET
  @Path("/health/live")
  public Uni<Response> live() {
    return health.getLivenessAsync().map(h -> answer(h, "live"));
  }

  /**
   * SmallRye Health's readiness checks: ready once the model loaded and ran once, until a SIGTERM.
   */
  @GET
  @Path("/health/ready")
  public Uni<Response> ready() {
    return health.getReadinessAsync().map(h -> answer(h, "ready"));
  }

  /**
   * The V2 REST answer: {@code {"live": true}} or {@code {"ready": true}} with 200 (KServe's SDK
   * reads the body, Triton's client the status code), else 503 with false and the reason.
   */
  private static Response answer(SmallRyeHealth health, String state) {
    if (!health.isDown()) {
      return Response.ok(Map.of(state, true)).build();
    }
    String why =
        health.getPayload().getJsonArray("checks").stream()
            .map(JsonValue::asJsonObject)
            .filter(check -> "DOWN".equals(check.getString("status", "")))
            .map(
                check -> {
                  JsonObject data = check.getJsonObject("data");
                  return data != null && data.containsKey("reason")
                      ? data.getString("reason")
                      : "check " + check.getString("name", "?") + " is down";
                })
            .collect(Collectors.joining("; "));
    return Response.status(503)
        .entity(Map.of(state, false, "error", "not " + state + ": " + why))
        .build();
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

  /**
   * modelops' extension of the protocol: the drift of the model's inputs and outputs from its
   * baseline (docs/drift-and-retraining.md). With drift off it answers 200 with {@code "enabled":
   * false} and the reason; an unknown model or version is the usual 404.
   */
  @GET
  @Path("/models/{name}/drift")
  public Map<String, Object> drift(@PathParam("name") String name) {
    return drift(name, null);
  }

  @GET
  @Path("/models/{name}/versions/{version}/drift")
  public Map<String, Object> drift(
      @PathParam("name") String name, @PathParam("version") String version) {
    ServedModel model = inferencer.model(name, version);
    return DriftReport.json(
        model.name(), model.version(), drift.window(), drift.status(), drift.state());
  }
}
