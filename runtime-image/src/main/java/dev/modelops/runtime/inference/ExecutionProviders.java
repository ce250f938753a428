package dev.modelops.runtime.inference;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** A session opened, and the provider it runs on. */
  public record Opened<S>(S session, Choice choice) {}

  /** Opens a session with the CUDA provider in its options ({@code cuda}) or without. */
  @FunctionalInterface
  public interface Opener<S> {
    S open(boolean cuda) throws OrtException;
  }

  /**
   * Opens the session on the chosen provider. CUDA can load and still fail when the session starts
   * (a GPU image on a node without a GPU, where {@code NVIDIA_VISIBLE_DEVICES=all} comes from the
   * base image): then the session opens on the CPU, said once in the log, unless the GPU is
   * required.
   */
  public static <S> Opened<S> open(Choice choice, boolean requireGpu, Opener<S> opener)
      throws OrtException {
    if (!choice.provider().equals("cuda")) {
      return new Opened<>(opener.open(false), choice);
    }
    try {
      return new Opened<>(opener.open(true), choice);
    } catch (OrtException | RuntimeException | LinkageError e) {
      String why = "the model could not start on CUDA: " + e.getMessage();
      if (requireGpu) {
        throw new IllegalStateException(
            why + " (modelops.require-gpu is set, so the CPU is not used)");
      }
      return new Opened<>(
          opener.open(false), log(new Choice("cpu", why + "; falling back to the CPU")));
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
    LOG.info("execution provider: " + choice.provider() + " (" + choice.reason() + ")");
    return choice;
  }
}
