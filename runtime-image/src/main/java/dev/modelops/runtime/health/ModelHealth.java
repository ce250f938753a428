package dev.modelops.runtime.health;

import dev.modelops.runtime.model.ModelRegistry;
import dev.modelops.runtime.model.ServedModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/**
 * SmallRye Health checks behind /q/health, on the same state as /v2/health: live while the process
 * serves, started once loading ended (well or not), ready once the model loaded and ran once.
 * Quarkus adds a readiness check of its own, down from SIGTERM on ({@link Drain}).
 */
public final class ModelHealth {

  private ModelHealth() {}

  @Liveness
  @ApplicationScoped
  public static class Live implements HealthCheck {
    @Override
    public HealthCheckResponse call() {
      return HealthCheckResponse.up("runtime");
    }
  }

  @Readiness
  @ApplicationScoped
  public static class Ready implements HealthCheck {
    @Inject ModelRegistry registry;

    @Override
    public HealthCheckResponse call() {
      ServedModel model = registry.model();
      return HealthCheckResponse.named("model")
          .status(model.ready())
          .withData("name", model.name())
          .withData("state", model.state().name())
          .withData("reason", model.reason())
          .withData("executionProvider", registry.provider().provider())
          .build();
    }
  }

  @Startup
  @ApplicationScoped
  public static class Started implements HealthCheck {
    @Inject ModelRegistry registry;

    @Override
    public HealthCheckResponse call() {
      return HealthCheckResponse.named("model-loading")
          .status(registry.model().state() != ServedModel.State.LOADING)
          .build();
    }
  }
}
