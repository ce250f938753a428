package dev.modelops.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Two clusters with real nodes run at once, each in namespaces of its own, and stop.sh leaves
 * nothing of either behind: no process, mount, network namespace, iptables rule, cgroup or
 * container.
 *
 * <p>Runs alone (the other classes run two at a time), as it compares the whole machine's mounts
 * and iptables before and after.
 */
@Isolated
class RealNodeLifecycleTest {

  record Started(Path dir, List<Long> pids, String netns, String cgroupRoot) {}

  @Test
  void twoRealNodesRunSideBySideAndStopLeavesNothingBehind() throws Exception {
    String iptablesBefore = hostIptables();
    String mountsBefore = Files.readString(Path.of("/proc/mounts"));

    CompletableFuture<SandboxCluster> a =
        CompletableFuture.supplyAsync(() -> startNodeOnly("node-a"), ScriptRun.OWN_THREAD);
    CompletableFuture<SandboxCluster> b =
        CompletableFuture.supplyAsync(() -> startNodeOnly("node-b"), ScriptRun.OWN_THREAD);
    List<Started> started = new ArrayList<>();
    try (SandboxCluster first = a.join();
        SandboxCluster second = b.join()) {
      for (SandboxCluster cluster : List.of(first, second)) {
        // Each cluster's add-on pods really run, from its own containerd, on its own node.
        assertThat(
                cluster.client().pods().inNamespace("kube-system").list().getItems().stream()
                    .map(p -> p.getStatus().getPhase() + " " + p.getSpec().getNodeName()))
            .containsExactly("Running sandbox-node-1");
        started.add(observe(cluster));
      }
      assertThat(started.get(0).netns()).isNotEqualTo(started.get(1).netns());
      for (Started s : started) {
        assertThat(Files.isDirectory(Path.of("/sys/fs/cgroup/memory", s.cgroupRoot()))).isTrue();
        assertThat(processesMentioning(s.dir() + "/node/containerd.sock"))
            .as("containerd shims of %s", s.dir())
            .isNotEmpty();
      }
      // Nothing of a cluster is configured in this machine's own network namespace.
      assertThat(hostIptables()).isEqualTo(iptablesBefore);
      assertThat(hostAddresses()).doesNotContain("10.200.0.2", "10.244.0.1");
    }

    for (Started s : started) {
      assertThat(s.pids()).noneMatch(RealNodeLifecycleTest::running);
      assertThat(processesMentioning(s.dir().toString())).as("processes of %s", s.dir()).isEmpty();
      assertThat(processesIn(s.netns())).as("processes in %s", s.netns()).isEmpty();
      try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
        assertThat(hierarchies.map(h -> h.resolve(s.cgroupRoot())))
            .as("pod cgroups")
            .noneMatch(Files::exists);
      }
      assertThat(s.dir().resolve("node")).as("containerd's images and containers").doesNotExist();
    }
    assertThat(Files.readString(Path.of("/proc/mounts"))).isEqualTo(mountsBefore);
    assertThat(hostIptables()).isEqualTo(iptablesBefore);
  }

  static SandboxCluster startNodeOnly(String name) {
    return SandboxCluster.startWithRealNode(
        name, List.of(), List.of("--cpu-nodes", "0", "--gpu-nodes", "0"));
  }

  static Started observe(SandboxCluster cluster) throws Exception {
    List<Long> pids =
        Files.readAllLines(cluster.dir().resolve("pids")).stream()
            .map(l -> Long.parseLong(l.split(" ")[1]))
            .toList();
    String holder = Files.readString(cluster.dir().resolve("node-ns.pid")).strip();
    String netns = Files.readSymbolicLink(Path.of("/proc", holder, "ns", "net")).toString();
    String cgroupRoot = Files.readString(cluster.dir().resolve("node/cgroup-root")).strip();
    return new Started(cluster.dir(), pids, netns, cgroupRoot);
  }

  static String hostIptables() {
    StringBuilder rules = new StringBuilder();
    for (String table : List.of("filter", "nat", "mangle", "raw")) {
      ScriptRun run = ScriptRun.run(List.of("iptables", "-t", table, "-S"), List.of());
      rules.append(run.stdout());
    }
    return rules.toString();
  }

  static String hostAddresses() {
    return ScriptRun.run(List.of("ip", "-o", "addr"), List.of()).stdout();
  }

  /** Processes whose command line mentions text (zombies, which hold nothing, aside). */
  static List<Long> processesMentioning(String text) throws IOException {
    return processes(
        pid -> {
          byte[] cmdline = Files.readAllBytes(Path.of("/proc", pid, "cmdline"));
          return new String(cmdline, java.nio.charset.StandardCharsets.UTF_8)
              .replace('\0', ' ')
              .contains(text);
        });
  }

  static List<Long> processesIn(String netns) throws IOException {
    return processes(
        pid -> Files.readSymbolicLink(Path.of("/proc", pid, "ns", "net")).toString().equals(netns));
  }

  interface PidTest {
    boolean test(String pid) throws IOException;
  }

  static List<Long> processes(PidTest test) throws IOException {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
      for (Path p : proc.toList()) {
        String pid = p.getFileName().toString();
        if (!pid.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (running(Long.parseLong(pid)) && test.test(pid)) {
            found.add(Long.parseLong(pid));
          }
        } catch (IOException gone) {
          // the process ended while it was being read
        }
      }
    }
    return found;
  }

  static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException gone) {
      return false;
    }
  }
}
