package dev.modelops.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import dev.modelops.operator.rollout.RolloutPlan.Event;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecutionProvidersTest {

  @Test
  void theProviderIsReadFromTheRuntimesReadinessCheck() {
    // As the runtime answers /q/health/ready on the sandbox's real node (CPU-only ONNX Runtime).
    String ready =
        """
        {"status":"UP","checks":[{"name":"model","status":"UP","data":{"name":"fraud-scorer",\
        "state":"READY","reason":"","executionProvider":"cpu"}}]}""";
    assertThat(ExecutionProviders.provider(ready)).contains("cpu");
    assertThat(ExecutionProviders.provider("{\"status\":\"UP\",\"checks\":[]}")).isEmpty();
    assertThat(ExecutionProviders.provider("<html>")).isEmpty();
    assertThat(
            ExecutionProviders.provider(
                "{\"checks\":[{\"data\":{\"executionProvider\":\"a value that is no provider\"}}]}"))
        .isEmpty();
  }

  @Test
  void aGpuModelsPodsOnTheCpuAreAWarningOnceWhenTheirNumberGrows() {
    ModelDeploymentStatus cuda = new ModelDeploymentStatus();
    cuda.executionProviders = Map.of("cuda", 2);
    ModelDeploymentStatus oneOnCpu = new ModelDeploymentStatus();
    oneOnCpu.executionProviders = Map.of("cuda", 1, "cpu", 1);
    assertThat(reasons(cuda, oneOnCpu)).containsExactly("CpuFallback");
    assertThat(
            DecisionEvents.between(StatusAssemblerTest.mdep(1, 1), cuda, oneOnCpu).get(0).message())
        .startsWith("1 of the serving revision's pods run this GPU model on the CPU");
    assertThat(reasons(oneOnCpu, oneOnCpu)).isEmpty();
    assertThat(reasons(oneOnCpu, cuda)).isEmpty();
    assertThat(reasons(null, oneOnCpu)).containsExactly("CpuFallback");
  }

  private static List<String> reasons(ModelDeploymentStatus a, ModelDeploymentStatus b) {
    return DecisionEvents.between(StatusAssemblerTest.mdep(1, 1), a, b).stream()
        .map(Event::reason)
        .filter(r -> r.equals("CpuFallback"))
        .toList();
  }
}
