package dev.modelops.e2e.sandbox;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A loopback port of this machine relayed to an address inside the real node's network namespace (a
 * Service's ClusterIP, a pod IP) by the sandbox's forwarder: the host reaches the cluster without
 * any cluster address in its own namespace. Connections through a ClusterIP are routed by the
 * node's kube-proxy.
 */
public final class ClusterForward implements AutoCloseable {

  private final Process process;
  private final int port;

  private ClusterForward(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static ClusterForward start(SandboxCluster cluster, String hostPort) {
    try {
      String holder = Files.readString(cluster.dir().resolve("node-ns.pid")).strip();
      int port;
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = free.getLocalPort();
      }
      Path log = cluster.dir().resolve("logs").resolve("forward-" + port + ".log");
      Process process =
          new ProcessBuilder(
                  List.of(
                      SandboxCluster.binDir().resolve("sandbox-forward").toString(),
                      "--netns",
                      "/proc/" + holder + "/ns/net",
                      "--listen",
                      "127.0.0.1:" + port,
                      "--to",
                      hostPort))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      ClusterForward forward = new ClusterForward(process, port);
      await("forwarder on 127.0.0.1:" + port)
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(forward::listening);
      return forward;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean listening() {
    if (!process.isAlive()) {
      throw new IllegalStateException("the forwarder exited with " + process.exitValue());
    }
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** http://127.0.0.1:PORT, the base URL of the forwarded address. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
  }
}
