package dev.modelops.operator.reconciler;

import dev.modelops.operator.api.v1alpha1.Conditions.Reason;
import dev.modelops.operator.dependent.RuntimePodTemplate;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Why a revision's pods do not serve, in words a user can act on. A pure reading of pod status. */
public record PodProblem(String reason, String message) {

  private static final int CRASH_RESTARTS = 3;

  /** The most telling problem among the pods, permanent ones first. */
  public static Optional<PodProblem> of(List<Pod> pods, String gpuResource) {
    return pods.stream()
        .map(p -> of(p, gpuResource))
        .flatMap(Optional::stream)
        .min((a, b) -> Integer.compare(rank(a.reason()), rank(b.reason())));
  }

  static Optional<PodProblem> of(Pod pod, String gpuResource) {
    String name = pod.getMetadata().getName();
    var status = pod.getStatus();
    if (status == null) {
      return Optional.empty();
    }
    for (PodCondition c : nullToEmpty(status.getConditions())) {
      if ("PodScheduled".equals(c.getType())
          && "False".equals(c.getStatus())
          && "Unschedulable".equals(c.getReason())) {
        String msg = Optional.ofNullable(c.getMessage()).orElse("no node fits the pod");
        boolean gpu = gpuResource != null && msg.contains("Insufficient " + gpuResource);
        return Optional.of(
            new PodProblem(
                gpu ? Reason.INSUFFICIENT_GPU : Reason.UNSCHEDULABLE,
                "pod %s cannot be scheduled: %s".formatted(name, msg)));
      }
    }
    for (ContainerStatus cs : nullToEmpty(status.getInitContainerStatuses())) {
      boolean model = RuntimePodTemplate.FETCH_CONTAINER.equals(cs.getName());
      if (model || RuntimePodTemplate.FETCH_BASELINE_CONTAINER.equals(cs.getName())) {
        Optional<String> failure = terminationMessage(cs);
        if (failure.isPresent()) {
          // The fetch command's reason starts with the word to switch on; a URL or a server's
          // words that merely mention sha256 are no checksum mismatch.
          String text = failure.get();
          int colon = text.indexOf(": ");
          String word = colon < 0 ? "" : text.substring(0, colon);
          boolean coded =
              word.equals(Reason.CHECKSUM_MISMATCH) || word.equals(Reason.MODEL_FETCH_FAILED);
          return Optional.of(
              new PodProblem(
                  word.equals(Reason.CHECKSUM_MISMATCH)
                      ? Reason.CHECKSUM_MISMATCH
                      : Reason.MODEL_FETCH_FAILED,
                  "pod %s could not fetch the %s: %s"
                      .formatted(
                          name,
                          model ? "model" : "drift baseline",
                          coded ? text.substring(colon + 2) : text)));
        }
      }
    }
    return Stream.concat(
            nullToEmpty(status.getInitContainerStatuses()).stream(),
            nullToEmpty(status.getContainerStatuses()).stream())
        .map(
            cs ->
                imagePull(name, cs)
                    .or(() -> containerConfig(name, cs))
                    .or(() -> crashLoop(name, cs)))
        .flatMap(Optional::stream)
        .findFirst();
  }

  private static Optional<String> terminationMessage(ContainerStatus cs) {
    var terminated =
        cs.getState() != null && cs.getState().getTerminated() != null
            ? cs.getState().getTerminated()
            : cs.getLastState() != null ? cs.getLastState().getTerminated() : null;
    if (terminated == null || terminated.getExitCode() == null || terminated.getExitCode() == 0) {
      return Optional.empty();
    }
    String message = Optional.ofNullable(terminated.getMessage()).orElse("").strip();
    String exit = "exit code " + terminated.getExitCode();
    // The kubelet names a kill it saw (OOMKilled) in reason; message holds the container's last
    // words (its termination message, or its log tail with FallbackToLogsOnError).
    String reason = terminated.getReason();
    if (reason != null && !List.of("Error", "Completed").contains(reason)) {
      String what = "OOMKilled".equals(reason) ? reason + ": over its memory limit" : reason;
      return Optional.of(
          message.isEmpty()
              ? what + " (" + exit + ")"
              : what + " (" + exit + "); last words: " + lastLine(message));
    }
    return Optional.of(message.isEmpty() ? exit : lastLine(message));
  }

  private static Optional<PodProblem> imagePull(String pod, ContainerStatus cs) {
    return waiting(cs, "ErrImagePull", "ImagePullBackOff", "InvalidImageName")
        .map(
            waiting ->
                new PodProblem(
                    Reason.IMAGE_PULL_FAILED,
                    "pod %s cannot pull image %s: %s"
                        .formatted(pod, cs.getImage(), said(waiting))));
  }

  /**
   * A container the kubelet cannot create from its configuration: most often a Secret or a key the
   * spec names (the runtime's auth token, the model's credentials) that does not exist. The kubelet
   * retries, so this clears once the Secret is there; its message names the Secret, never a value.
   */
  private static Optional<PodProblem> containerConfig(String pod, ContainerStatus cs) {
    return waiting(cs, "CreateContainerConfigError")
        .map(
            waiting ->
                new PodProblem(
                    Reason.CONTAINER_CONFIG_ERROR,
                    "container %s of pod %s cannot be created: %s"
                        .formatted(cs.getName(), pod, said(waiting))));
  }

  private static Optional<PodProblem> crashLoop(String pod, ContainerStatus cs) {
    boolean backOff = waiting(cs, "CrashLoopBackOff").isPresent();
    int restarts = cs.getRestartCount() == null ? 0 : cs.getRestartCount();
    if (backOff || restarts >= CRASH_RESTARTS && !Boolean.TRUE.equals(cs.getReady())) {
      String last = terminationMessage(cs).orElse("restarted " + restarts + " times");
      return Optional.of(
          new PodProblem(
              Reason.CRASH_LOOPING,
              "container %s of pod %s keeps crashing: %s".formatted(cs.getName(), pod, last)));
    }
    return Optional.empty();
  }

  /** The container's waiting state, when it waits for one of the given reasons. */
  private static Optional<ContainerStateWaiting> waiting(ContainerStatus cs, String... reasons) {
    return Optional.ofNullable(cs.getState())
        .map(ContainerState::getWaiting)
        .filter(w -> w.getReason() != null && List.of(reasons).contains(w.getReason()));
  }

  /** What the kubelet said of a waiting container: its message, else its reason. */
  private static String said(ContainerStateWaiting waiting) {
    return Optional.ofNullable(waiting.getMessage()).orElse(waiting.getReason());
  }

  private static int rank(String reason) {
    return switch (reason) {
      case Reason.CHECKSUM_MISMATCH -> 0;
      case Reason.IMAGE_PULL_FAILED, Reason.CONTAINER_CONFIG_ERROR -> 1;
      case Reason.MODEL_FETCH_FAILED -> 2;
      case Reason.CRASH_LOOPING -> 3;
      case Reason.INSUFFICIENT_GPU -> 4;
      default -> 5;
    };
  }

  /**
   * The JVM launcher's closing words when the JVM cannot start (a wrong option in
   * operator.runtimeJavaOptions, for one): the line before them says why.
   */
  private static final List<String> JVM_CLOSING_LINES =
      List.of(
          "Error: Could not create the Java Virtual Machine.",
          "Error: A fatal exception has occurred. Program will exit.");

  private static String lastLine(String text) {
    List<String> lines = List.of(text.split("\n"));
    int last = lines.size() - 1;
    while (last > 0 && JVM_CLOSING_LINES.contains(lines.get(last).strip())) {
      last--;
    }
    return lines.get(last);
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
