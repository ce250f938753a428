package dev.modelops.e2e.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** The outcome of one run of a sandbox script or binary: exit code and both output streams. */
public record ScriptRun(int exitCode, String stdout, String stderr) {

  /**
   * Runs each task on a thread of its own. Not the common ForkJoinPool: on two cores it has one
   * thread, so a script's stderr read waited for another's to end, and a class waited five minutes
   * for the demo beside it before its cluster started (a fresh-clone run of 2026-12-02).
   */
  public static final Executor OWN_THREAD = task -> Thread.ofPlatform().daemon().start(task);

  /** Runs a command to its end; each {@code env} entry is {@code NAME=value}. */
  public static ScriptRun run(List<String> command, List<String> env) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    for (String entry : env) {
      int eq = entry.indexOf('=');
      builder.environment().put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    try {
      Process process = builder.start();
      CompletableFuture<String> err =
          CompletableFuture.supplyAsync(() -> read(process.getErrorStream()), OWN_THREAD);
      String out = read(process.getInputStream());
      return new ScriptRun(process.waitFor(), out, err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
