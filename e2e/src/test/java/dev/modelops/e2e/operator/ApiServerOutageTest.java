package dev.modelops.e2e.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The API server goes away in the middle of a spec change for more failed reconciles than JOSDK's
 * default retry allows (the first and 5 retries): the operator keeps retrying, and once the API
 * server is back it applies the change with no other event to wake it.
 */
@Order(Schedule.BACK_3)
class ApiServerOutageTest {

  static final String FAILED = "reconcile failed";

  /**
   * kwok cannot renew its nodes' leases while the API server is away. Past the grace period (50 s
   * by default) the node lifecycle controller marks the nodes unreachable and their pods' Ready
   * condition False once the API server is back; a kubelet would set Ready again on its next status
   * sync, kwok never does (a kwok pod stalled 75 s stays Ready=False with its nodes Ready again,
   * checked by hand on 2026-12-03). The outage lasts as long as seven failed reconciles: over 50 s
   * on a busy machine with the operator's back-off, so both revisions' pods stayed not ready and a
   * fresh-clone run failed. The back-off is shorter now (below), but the nodes' health is not what
   * this test is about: the grace period is made longer than any outage.
   */
  static final String NODES_OUTLAST_THE_OUTAGE =
      "KUBE_CONTROLLER_MANAGER_EXTRA_ARGS=--node-monitor-grace-period=10m";

  @Test
  void aSpecChangeDuringAnOutageIsAppliedOnceTheApiServerIsBack() throws Exception {
    try (SandboxCluster cluster =
        SandboxCluster.start("outage", List.of(), List.of(NODES_OUTLAST_THE_OUTAGE))) {
      KubernetesClient client = cluster.client();
      ModelDeployments mdeps = new ModelDeployments(client);
      mdeps.installCrd();
      // The new CRD's storage answers 429 for a moment; the operator below retries nothing.
      await("ModelDeployments can be listed")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> mdeps.api().list() != null);
      // Each attempt fails at once on the refused connection (the client's own retries, about
      // 20 s an attempt by default, are off), so the attempts are JOSDK's alone. Their back-off is
      // capped at 3 s instead of the operator's 30 s: seven attempts take about 15 s, not 90, and
      // what is tested (the operator does not give up after JOSDK's default number) is the same.
      try (OperatorProcess operator =
          OperatorProcess.start(
              cluster,
              "operator",
              cluster.kubeconfig(),
              Map.of(
                  "QUARKUS_KUBERNETES_CLIENT_REQUEST_RETRY_BACKOFF_LIMIT",
                  "0",
                  "QUARKUS_OPERATOR_SDK_CONTROLLERS_MODELDEPLOYMENT_RETRY_INTERVAL_INITIAL",
                  "1000",
                  "QUARKUS_OPERATOR_SDK_CONTROLLERS_MODELDEPLOYMENT_RETRY_INTERVAL_MAX",
                  "3000"))) {
        mdeps.create(
            ModelDeployments.modelDeployment(
                "steady",
                Map.of(
                    "model",
                    Map.of("uri", "file:///models/m.onnx", "version", "1"),
                    "runtime",
                    Map.of("replicas", 1))));
        ScriptRun wait =
            cluster.kubectl("wait", "--for=condition=Available", "mdep/steady", "--timeout=60s");
        assertThat(wait.exitCode()).as(wait.stderr()).isZero();

        // The operator is frozen while the change is made and the API server is killed, so the
        // reconcile of the change surely meets the outage.
        ApiServerProcess apiServer = ApiServerProcess.of(cluster);
        int port = java.net.URI.create(client.getConfiguration().getMasterUrl()).getPort();
        signal(operator.pid(), "STOP");
        try {
          long waiting = bytesWaiting(operator.pid(), port);
          ScriptRun change =
              cluster.kubectl(
                  "patch",
                  "mdep/steady",
                  "--type=merge",
                  "-p",
                  "{\"spec\":{\"model\":{\"version\":\"2\"}}}");
          assertThat(change.exitCode()).as(change.stderr()).isZero();
          // The change's watch event is in the frozen operator's socket before the API server
          // dies: else the operator never hears of it during the outage, and has nothing to retry.
          await("the change's watch event sent to the operator")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(50))
              .until(() -> bytesWaiting(operator.pid(), port) > waiting);
          apiServer.kill();
        } finally {
          signal(operator.pid(), "CONT");
        }
        // More failed attempts than JOSDK's default allows (the first and 5 retries):
        // the operator has not given up.
        await("seven failed reconciles")
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> count(operator.log(), FAILED) >= 7);

        long restarted = apiServer.restart();
        assertThat(restarted).isPositive();
        // Nothing else happens to the ModelDeployment: the operator's own retry applies the change.
        await("revision 2's Deployment")
            .atMost(Duration.ofMinutes(2))
            .until(
                () -> {
                  try {
                    return client.apps().deployments().withName("steady-r2").get() != null;
                  } catch (RuntimeException notBackYet) {
                    return false;
                  }
                });
        // Revision 2 serves once the controller manager, the scheduler and kwok have each listed
        // and watched again: client-go's reflectors retry a lost API server with a back-off of up
        // to 30 s each, one after the other (Deployment, ReplicaSet, pod, binding, Ready), so a
        // minute was too short on a busy machine (a fresh-clone run of 2026-12-02 with two other
        // sandboxes beside it); the operator's part was done when revision 2's Deployment appeared.
        ScriptRun available =
            cluster.kubectl(
                "wait",
                "--for=jsonpath={.status.stableRevision}=2",
                "mdep/steady",
                "--timeout=180s");
        assertThat(available.exitCode())
            .as(
                "%s%n%s",
                available.stderr(),
                cluster.kubectl("get", "mdep,deployments,replicasets,pods", "-o", "wide").stdout())
            .isZero();
      }
    }
  }

  static int count(String text, String what) {
    int n = 0;
    for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
      n++;
    }
    return n;
  }

  /**
   * The bytes received and not yet read on the process's TCP connections to a port: what the API
   * server sent a frozen operator. From the kernel's socket table, /proc/net/tcp and tcp6.
   */
  static long bytesWaiting(long pid, int port) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // the descriptor was closed while listed
        }
      }
    }
    long waiting = 0;
    for (String table : List.of("tcp", "tcp6")) {
      for (String line : Files.readAllLines(Path.of("/proc/net", table))) {
        String[] f = line.trim().split("\\s+");
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
        if (f.length < 10 || !f[2].contains(":") || !inodes.contains(f[9])) {
          continue;
        }
        int remotePort = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
        if (remotePort == port) {
          waiting += Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
        }
      }
    }
    return waiting;
  }

  static void signal(long pid, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
    assertThat(kill.waitFor()).isZero();
  }
}
