package dev.modelops.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pod statuses as the kubelet and scheduler write them, read into reasons a user can act on. */
class PodProblemTest {

  static Pod pod(List<ContainerStatus> init, List<ContainerStatus> containers) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p-1")
        .endMetadata()
        .withNewStatus()
        .withInitContainerStatuses(init)
        .withContainerStatuses(containers)
        .endStatus()
        .build();
  }

  static ContainerStatus fetchFailed(String message) {
    return new ContainerStatusBuilder()
        .withName("fetch-model")
        .withNewState()
        .withNewTerminated()
        .withExitCode(1)
        .withMessage(message)
        .endTerminated()
        .endState()
        .build();
  }

  /** The runtime container, not started yet, waiting for the reason the kubelet gives. */
  static ContainerStatus waitingRuntime(String reason, String message) {
    return new ContainerStatusBuilder()
        .withName("runtime")
        .withRestartCount(0)
        .withReady(false)
        .withNewState()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .endState()
        .build();
  }

  @Test
  void unschedulableForGpusIsInsufficientGpuWithTheSchedulersMessage() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("p-1")
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("0/4 nodes are available: 2 Insufficient nvidia.com/gpu.")
            .endCondition()
            .endStatus()
            .build();
    PodProblem problem = PodProblem.of(List.of(pod), "nvidia.com/gpu").orElseThrow();
    assertThat(problem.reason()).isEqualTo("InsufficientGPU");
    assertThat(problem.message())
        .contains("0/4 nodes are available: 2 Insufficient nvidia.com/gpu.");
    assertThat(PodProblem.of(List.of(pod), null).orElseThrow().reason()).isEqualTo("Unschedulable");
  }

  @Test
  void fetchFailuresAreChecksumMismatchOrModelFetchFailed() {
    assertThat(
            PodProblem.of(
                    List.of(
                        pod(
                            List.of(
                                fetchFailed(
                                    "ChecksumMismatch: sha256 mismatch for http://m/x: expected"
                                        + " aa, got bb")),
                            List.of())),
                    null)
                .orElseThrow()
                .reason())
        .isEqualTo("ChecksumMismatch");
    PodProblem fetch =
        PodProblem.of(
                List.of(
                    pod(
                        List.of(
                            fetchFailed("ModelFetchFailed: GET https://x/sha256/m.onnx: HTTP 404")),
                        List.of())),
                null)
            .orElseThrow();
    // A URL that mentions sha256 does not make a 404 a checksum mismatch.
    assertThat(fetch.reason()).isEqualTo("ModelFetchFailed");
    assertThat(fetch.message())
        .endsWith("could not fetch the model: GET https://x/sha256/m.onnx: HTTP 404");
  }

  @Test
  void imagePullAndCrashLoopsAreNamed() {
    ContainerStatus pull =
        new ContainerStatusBuilder()
            .withName("runtime")
            .withImage("bad/image:1")
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .withMessage("not found")
            .endWaiting()
            .endState()
            .build();
    assertThat(PodProblem.of(List.of(pod(List.of(), List.of(pull))), null).orElseThrow().reason())
        .isEqualTo("ImagePullFailed");

    ContainerStatus crash =
        new ContainerStatusBuilder()
            .withName("runtime")
            .withRestartCount(4)
            .withReady(false)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(137)
            .withReason("OOMKilled")
            .withMessage("INFO loading model\nINFO warming up")
            .endTerminated()
            .endLastState()
            .build();
    PodProblem problem = PodProblem.of(List.of(pod(List.of(), List.of(crash))), null).orElseThrow();
    assertThat(problem.reason()).isEqualTo("CrashLooping");
    // As a kubelet reports it: the kill in reason, the log tail (FallbackToLogsOnError) in message.
    assertThat(problem.message())
        .contains("OOMKilled: over its memory limit (exit code 137); last words: INFO warming up");
  }

  @Test
  void aJvmThatCannotStartIsReportedWithTheLineThatSaysWhy() throws Exception {
    // What a real JVM says with a wrong option in JAVA_TOOL_OPTIONS (operator.runtimeJavaOptions),
    // as FallbackToLogsOnError puts its log in the termination message.
    ProcessBuilder jvm =
        new ProcessBuilder(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-version")
            .redirectErrorStream(true);
    jvm.environment().put("JAVA_TOOL_OPTIONS", "-XX:NoSuchOption");
    Process process = jvm.start();
    String said = new String(process.getInputStream().readAllBytes()).strip();
    assertThat(process.waitFor()).isNotZero();
    assertThat(said).contains("Picked up JAVA_TOOL_OPTIONS: -XX:NoSuchOption");

    PodProblem fetch =
        PodProblem.of(List.of(pod(List.of(fetchFailed(said)), List.of())), null).orElseThrow();
    assertThat(fetch.message())
        .endsWith("could not fetch the model: Unrecognized VM option 'NoSuchOption'");
  }

  @Test
  void aContainerWhoseSecretIsMissingIsAContainerConfigErrorNamingIt() {
    ContainerStatus config =
        waitingRuntime("CreateContainerConfigError", "secret \"iris-token\" not found");
    PodProblem problem =
        PodProblem.of(List.of(pod(List.of(), List.of(config))), null).orElseThrow();
    assertThat(problem.reason()).isEqualTo("ContainerConfigError");
    assertThat(problem.message())
        .isEqualTo(
            "container runtime of pod p-1 cannot be created: secret \"iris-token\" not found");
  }

  @Test
  void healthyAndStartingPodsAreNoProblem() {
    ContainerStatus starting = waitingRuntime("ContainerCreating", null);
    assertThat(PodProblem.of(List.of(pod(List.of(), List.of(starting))), "nvidia.com/gpu"))
        .isEmpty();
  }

  @Test
  void aChecksumMismatchOutranksAnUnschedulablePod() {
    Pod pending =
        new PodBuilder()
            .withNewMetadata()
            .withName("p-2")
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("Insufficient nvidia.com/gpu")
            .endCondition()
            .endStatus()
            .build();
    Pod mismatch =
        pod(
            List.of(fetchFailed("ChecksumMismatch: sha256 mismatch for x: expected a, got b")),
            List.of());
    assertThat(PodProblem.of(List.of(pending, mismatch), "nvidia.com/gpu").orElseThrow().reason())
        .isEqualTo("ChecksumMismatch");
  }
}
