package dev.modelops.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox scripts run clusters side by side, and fail with messages that say what went wrong.
 */
class SandboxScriptsTest {

  @TempDir Path temp;

  @Test
  void twoClustersRunAtOnceInTheirOwnDirectories() {
    CompletableFuture<SandboxCluster> a =
        CompletableFuture.supplyAsync(
            () -> SandboxCluster.startControlPlaneOnly("side-a"), ScriptRun.OWN_THREAD);
    CompletableFuture<SandboxCluster> b =
        CompletableFuture.supplyAsync(
            () -> SandboxCluster.startControlPlaneOnly("side-b"), ScriptRun.OWN_THREAD);
    try (SandboxCluster first = a.join();
        SandboxCluster second = b.join()) {
      assertThat(first.kubeconfig()).isNotEqualTo(second.kubeconfig());
      assertThat(first.config().getMasterUrl()).isNotEqualTo(second.config().getMasterUrl());
      first
          .client()
          .namespaces()
          .resource(
              new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                  .withNewMetadata()
                  .withName("only-in-a")
                  .endMetadata()
                  .build())
          .create();
      assertThat(first.client().namespaces().withName("only-in-a").get()).isNotNull();
      assertThat(second.client().namespaces().withName("only-in-a").get()).isNull();
    }
  }

  @Test
  void stopRemovesEverythingItStarted() throws IOException {
    Path dir = temp.resolve("stopped");
    ScriptRun start =
        ScriptRun.run(
            List.of(
                SandboxCluster.script("start.sh").toString(),
                "--dir",
                dir.toString(),
                "--control-plane-only"),
            List.of());
    assertThat(start.exitCode()).as(start.stderr()).isZero();
    List<Long> pids =
        Files.readAllLines(dir.resolve("pids")).stream()
            .map(l -> Long.parseLong(l.split(" ")[1]))
            .toList();
    assertThat(pids).hasSize(2).allMatch(pid -> running(pid));

    ScriptRun stop =
        ScriptRun.run(
            List.of(SandboxCluster.script("stop.sh").toString(), dir.toString()), List.of());
    assertThat(stop.exitCode()).as(stop.stderr()).isZero();
    assertThat(dir).doesNotExist();
    assertThat(pids).noneMatch(pid -> running(pid));
  }

  /**
   * Whether a process runs: it exists and is not a zombie waiting for its new parent to reap it.
   */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException gone) {
      return false;
    }
  }

  @Test
  void aTakenPortIsNamed() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ScriptRun run =
          ScriptRun.run(
              List.of(
                  SandboxCluster.script("start.sh").toString(),
                  "--dir",
                  temp.resolve("c").toString(),
                  "--control-plane-only",
                  "--api-port",
                  Integer.toString(taken.getLocalPort())),
              List.of());
      assertThat(run.exitCode()).isNotZero();
      assertThat(run.stderr())
          .contains("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use");
    }
  }

  @Test
  void aComponentThatExitsShowsItsLogTail() {
    ScriptRun run =
        ScriptRun.run(
            List.of(
                SandboxCluster.script("start.sh").toString(),
                "--dir",
                temp.resolve("c").toString(),
                "--control-plane-only"),
            List.of("KUBE_APISERVER_EXTRA_ARGS=--no-such-flag"));
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr())
        .contains("kube-apiserver exited")
        .contains("unknown flag: --no-such-flag");
  }

  @Test
  void missingGoIsExplained() {
    ScriptRun run =
        ScriptRun.run(
            List.of("/bin/bash", SandboxCluster.script("build.sh").toString()),
            List.of("PATH=/usr/bin:/bin", "MODELOPS_CACHE=" + temp.resolve("cache")));
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr()).contains("Go is not installed or not on PATH");
  }

  @Test
  void aFailedBuildSaysWhichPartAndWhereTheLogIs() {
    ScriptRun run =
        ScriptRun.run(
            List.of(SandboxCluster.script("build.sh").toString()),
            List.of(
                "MODELOPS_CACHE=" + temp.resolve("cache"),
                "GOMODCACHE=" + temp.resolve("empty-modcache"),
                "GOPROXY=off",
                "GOFLAGS=-mod=mod"));
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr())
        .contains("building etcd failed")
        .contains(temp.resolve("cache").resolve("sandbox/build.log").toString());
  }

  @Test
  void binariesReportTheirRealRelease() {
    Path bin = SandboxCluster.binDir();
    String kubernetes = SandboxVersions.get("KUBERNETES_VERSION");
    for (String tool : List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler")) {
      ScriptRun run = ScriptRun.run(List.of(bin.resolve(tool).toString(), "--version"), List.of());
      assertThat(run.stdout()).as(tool).isEqualToIgnoringNewLines("Kubernetes " + kubernetes);
    }
    assertThat(version(bin, "kubectl", "version", "--client"))
        .contains("Client Version: " + kubernetes);
    assertThat(version(bin, "etcd", "--version"))
        .contains("etcd Version: " + SandboxVersions.get("ETCD_VERSION").substring(1));
    assertThat(version(bin, "helm", "version", "--short"))
        .startsWith(SandboxVersions.get("HELM_VERSION"));
    assertThat(version(bin, "kwok", "--version"))
        .startsWith("kwok version " + SandboxVersions.get("KWOK_VERSION"));
  }

  private static String version(Path bin, String tool, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of(bin.resolve(tool).toString()));
    command.addAll(List.of(args));
    return ScriptRun.run(command, List.of()).stdout();
  }
}
