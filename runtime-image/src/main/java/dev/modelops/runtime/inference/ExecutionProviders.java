package dev.modelops.runtime.inference;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Chooses the execution provider at start: CUDA when the pod has a GPU and the CUDA provider loads
 * (the onnxruntime_gpu build), otherwise the CPU, said once in the log.
 */
public final class ExecutionProviders {

  private static final Logger LOG = Logger.getLogger(ExecutionProviders.class);

  /** The outcome: the provider in use and why. */
  public record Choice(String provider, String reason) {}

  private ExecutionProviders() {}

  /**
   * @param requested cpu, cuda or auto
   * @param cuda adds the CUDA provider to the options; throws when it cannot load
   */
  public static Choice choose(
      String requested, boolean requireGpu, OrtSession.SessionOptions options, CudaLoader cuda) {
    boolean gpuVisible = gpuVisible();
    boolean wantCuda = "cuda".equals(requested) || ("auto".equals(requested) && gpuVisible);
    if (!wantCuda) {
      return log(
          new Choice("cpu", "no GPU requested or visible (execution provider " + requested + ")"));
    }
    try {
      cuda.add(options);
      return log(new Choice("cuda", "CUDA execution provider loaded"));
    } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
      String why = "CUDA execution provider could not be loaded: " + e.getMessage();
      if (requireGpu) {
        throw new IllegalStateException(
            why + " (modelops.require-gpu is set, so the CPU is not used)");
      }
      return log(new Choice("cpu", why + "; falling back to the CPU"));
    }
  }

  /** Adds CUDA device 0 to session options; the default loads ONNX Runtime's CUDA provider. */
  @FunctionalInterface
  public interface CudaLoader {
    void add(OrtSession.SessionOptions options) throws OrtException;

    CudaLoader DEFAULT = options -> options.addCUDA(0);
  }

  static boolean gpuVisible() {
    String visible = System.getenv("NVIDIA_VISIBLE_DEVICES");
    return (visible != null
            && !visible.isBlank()
            && !"void".equals(visible)
            && !"none".equals(visible))
        || Files.exists(Path.of("/dev/nvidia0"));
  }

  private static Choice log(Choice choice) {
    Consumer<String> out = choice.provider().equals("cuda") ? LOG::info : LOG::info;
    out.accept("execution provider: " + choice.provider() + " (" + choice.reason() + ")");
    return choice;
  }
}
