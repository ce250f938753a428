package dev.modelops.e2e.operator;

import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.sandbox.PackagedApp;
import dev.modelops.e2e.sandbox.SandboxCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The packaged operator ({@code operator/target/quarkus-app}) run as its own process against a
 * sandbox cluster, as a user would run it. Its log is kept beside the cluster's logs.
 */
public final class OperatorProcess implements AutoCloseable {

  /**
   * The JVM option every operator of the tests runs with, on the host and as the chart's pod
   * (Helm.clusterWithOperatorPod): C1 only. The e2e phase is CPU-bound (three sandboxes at once on
   * two cores), and a test's operator lives for minutes, so compiling was most of its CPU: C2's
   * threads took 8-10 and C1's 4-5 of an operator pod's 20-28 CPU-seconds four minutes into a
   * canary class. With C1 only, a start on the host takes 2.7 CPU-seconds against 7 and a pod's 2.9
   * against 4.8, its AOT cache still used (measured 2026-12-03). What the tests check does not
   * depend on the JIT; the demo and users keep the images' default. The runtime pods the tests'
   * operators make run with it too (the operator's runtimeJavaOptions): at 31 requests a second the
   * runtime image used 7.4 CPU-seconds in its first two minutes instead of 11.1, and 1.4 instead of
   * 2.2 to be ready (runtime-image/bench/jit.py, 2026-12-03, docs/development.md).
   */
  public static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

  /** The operator's setting that passes JVM options to the runtime pods. */
  private static final String RUNTIME_JAVA_OPTIONS = "MODELOPS_OPERATOR_RUNTIME_JAVA_OPTIONS";

  private final Process process;
  private final Path log;
  private final int port;

  private OperatorProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  public static OperatorProcess start(SandboxCluster cluster, String name) {
    return start(cluster, name, cluster.kubeconfig());
  }

  /**
   * Starts the operator with the credentials of another kubeconfig, for example a ServiceAccount's.
   */
  public static OperatorProcess start(SandboxCluster cluster, String name, Path kubeconfig) {
    return start(cluster, name, kubeconfig, java.util.Map.of());
  }

  /**
   * Starts the operator with another kubeconfig and extra environment, as the Helm chart's
   * Deployment sets it.
   */
  public static OperatorProcess start(
      SandboxCluster cluster, String name, Path kubeconfig, java.util.Map<String, String> env) {
    Path jar = PackagedApp.jar("operator");
    int port = freePort();
    Path log = cluster.dir().resolve("logs").resolve(name + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx256m",
                    C1_ONLY,
                    "--add-opens",
                    "java.base/java.lang=ALL-UNNAMED",
                    "-jar",
                    jar.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    builder.environment().put(RUNTIME_JAVA_OPTIONS, C1_ONLY);
    builder.environment().putAll(env);
    try {
      Files.createDirectories(log.getParent());
      OperatorProcess operator = new OperatorProcess(builder.start(), log, port);
      await("operator ready (log: " + log + ")")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> operator.alive() && operator.ready());
      return operator;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The operator's process id, for signals. */
  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  private boolean ready() {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + "/q/health/ready").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(1000);
      return c.getResponseCode() == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The operator's Prometheus metrics, scraped as Prometheus would. */
  public String metrics() {
    return get("/q/metrics");
  }

  /** The body of a GET on the operator's HTTP port, whatever its status. */
  public String get(String path) {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      try (var in = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()) {
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * SIGKILL, as the kernel's OOM killer or a lost node ends it: no shutdown hook runs, nothing is
   * flushed or released. Returns the exit status (137: killed by signal 9).
   */
  public int kill() {
    process.destroyForcibly();
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the operator was being killed", e);
    }
  }

  /** Stops the operator as Kubernetes would: SIGTERM, then SIGKILL after a grace period. */
  @Override
  public void close() {
    terminate();
  }

  /**
   * SIGTERM, then SIGKILL when the operator has not exited within Kubernetes' default grace period
   * of 30 seconds; true when it exited by itself.
   */
  public boolean terminate() {
    process.destroy();
    try {
      if (process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        return true;
      }
      process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
