package dev.modelops.e2e.operator;

import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.sandbox.SandboxCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sandbox's kube-apiserver as a process: killed as an outage would end it, and started again as
 * start.sh did (same command, environment and log), its new pid recorded so that stop.sh stops it.
 */
final class ApiServerProcess {

  static final String NAME = "kube-apiserver";

  private final SandboxCluster cluster;
  private final long pid;
  private final List<String> command;
  private final Map<String, String> environment;

  private ApiServerProcess(
      SandboxCluster cluster, long pid, List<String> command, Map<String, String> environment) {
    this.cluster = cluster;
    this.pid = pid;
    this.command = command;
    this.environment = environment;
  }

  /** The running API server, its command line and environment read from /proc. */
  static ApiServerProcess of(SandboxCluster cluster) throws IOException {
    long pid = cluster.pid(NAME);
    return new ApiServerProcess(cluster, pid, commandLine(pid), environment(pid));
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    await("the API server gone")
        .atMost(Duration.ofSeconds(30))
        .until(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
  }

  /** Starts the API server again; returns the new pid. */
  long restart() throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(environment);
    builder
        .redirectErrorStream(true)
        .redirectOutput(
            ProcessBuilder.Redirect.appendTo(
                cluster.dir().resolve("logs").resolve(NAME + ".log").toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    long started = builder.start().pid();
    Path pids = cluster.dir().resolve("pids");
    List<String> lines =
        Files.readAllLines(pids).stream()
            .map(l -> l.startsWith(NAME + " ") ? NAME + " " + started : l)
            .toList();
    Files.write(pids, lines);
    return started;
  }

  private static List<String> commandLine(long pid) throws IOException {
    String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
    return Arrays.asList(raw.split("\0"));
  }

  private static Map<String, String> environment(long pid) throws IOException {
    Map<String, String> env = new HashMap<>();
    byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
    for (String entry : new String(raw, StandardCharsets.UTF_8).split("\0")) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return env;
  }
}
