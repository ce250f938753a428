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
}
