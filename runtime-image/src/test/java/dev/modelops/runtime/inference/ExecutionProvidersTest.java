package dev.modelops.runtime.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;

/**
 * The GPU path's fallback, tested where no GPU is: the CPU build of ONNX Runtime really fails to
 * add the CUDA provider, and the server uses the CPU unless told to require the GPU.
 */
class ExecutionProvidersTest {

  @Test
  void cudaRequestedOnTheCpuBuildFallsBackToTheCpu() throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      ExecutionProviders.Choice choice =
          ExecutionProviders.choose("cuda", false, options, ExecutionProviders.CudaLoader.DEFAULT);
      assertThat(choice.provider()).isEqualTo("cpu");
      assertThat(choice.reason())
          .contains("CUDA execution provider could not be loaded")
          .contains("falling back to the CPU");
    }
  }

  @Test
  void requiredGpuThatCannotLoadFailsInsteadOfFallingBack() throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      assertThatThrownBy(
              () ->
                  ExecutionProviders.choose(
                      "cuda", true, options, ExecutionProviders.CudaLoader.DEFAULT))
          .hasMessageContaining("modelops.require-gpu is set");
    }
  }

  @Test
  void cudaIsUsedWhenItLoads() throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      ExecutionProviders.Choice choice = ExecutionProviders.choose("cuda", true, options, o -> {});
      assertThat(choice.provider()).isEqualTo("cuda");
    }
  }

  @Test
  void cpuRequestedNeverTriesCuda() throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      ExecutionProviders.Choice choice =
          ExecutionProviders.choose(
              "cpu",
              false,
              options,
              o -> {
                throw new AssertionError("CUDA must not be tried");
              });
      assertThat(choice.provider()).isEqualTo("cpu");
    }
  }

  @Test
  void aSessionThatCannotStartOnCudaStartsOnTheCpu() throws OrtException {
    ExecutionProviders.Choice cuda = new ExecutionProviders.Choice("cuda", "loaded");
    ExecutionProviders.Opened<String> opened =
        ExecutionProviders.open(cuda, false, ExecutionProvidersTest::noDevice);
    assertThat(opened.session()).isEqualTo("cpu session");
    assertThat(opened.choice().provider()).isEqualTo("cpu");
    assertThat(opened.choice().reason())
        .contains("the model could not start on CUDA: CUDA failure 100: no CUDA-capable device")
        .contains("falling back to the CPU");
  }

  @Test
  void aRequiredGpuThatCannotStartTheSessionFails() {
    ExecutionProviders.Choice cuda = new ExecutionProviders.Choice("cuda", "loaded");
    assertThatThrownBy(() -> ExecutionProviders.open(cuda, true, ExecutionProvidersTest::noDevice))
        .hasMessageContaining("no CUDA-capable device")
        .hasMessageContaining("modelops.require-gpu is set");
  }

  @Test
  void aSessionOnCudaOrOnTheCpuOpensOnce() throws OrtException {
    ExecutionProviders.Opened<String> gpu =
        ExecutionProviders.open(
            new ExecutionProviders.Choice("cuda", "loaded"), true, c -> c ? "gpu" : "cpu");
    assertThat(gpu.session()).isEqualTo("gpu");
    assertThat(gpu.choice().provider()).isEqualTo("cuda");
    ExecutionProviders.Opened<String> cpu =
        ExecutionProviders.open(
            new ExecutionProviders.Choice("cpu", "no GPU"),
            false,
            c -> {
              assertThat(c).as("CUDA must not be tried").isFalse();
              return "cpu";
            });
    assertThat(cpu.session()).isEqualTo("cpu");
  }

  /** What ONNX Runtime says when the CUDA provider loads but the node has no GPU. */
  private static String noDevice(boolean cuda) throws OrtException {
    if (cuda) {
      throw new OrtException("CUDA failure 100: no CUDA-capable device is detected");
    }
    return "cpu session";
  }
}
