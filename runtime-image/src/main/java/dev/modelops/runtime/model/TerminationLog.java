package dev.modelops.runtime.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A container's last words where the kubelet reads them into the pod's status ({@code
 * terminated.message}); outside a pod there is no such file and nothing is written.
 */
final class TerminationLog {

  static final Path DEFAULT = Path.of("/dev/termination-log");

  private TerminationLog() {}

  /** Writes the reason; false when the file is not there or not writable (not in a pod). */
  static boolean write(Path file, String reason) {
    try {
      if (Files.isWritable(file)) {
        Files.writeString(file, reason, StandardCharsets.UTF_8);
        return true;
      }
    } catch (IOException notWritten) {
      // The caller's log line carries the reason too (FallbackToLogsOnError).
    }
    return false;
  }
}
