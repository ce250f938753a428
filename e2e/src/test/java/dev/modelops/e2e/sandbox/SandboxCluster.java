package dev.modelops.e2e.sandbox;

import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sandbox cluster started by {@code e2e/sandbox/start.sh} for one test class, stopped on close.
 * Its logs stay in {@code target/sandbox/<name>/logs} for the report of a failed test.
 */
public final class SandboxCluster implements AutoCloseable {

  private static final AtomicInteger STARTED = new AtomicInteger();

  /** The user of the project's images (build_image.py's UID). */
  private static final int IMAGE_USER = 10001;

  private final Path dir;
  private final Path kubeconfig;
  private final KubernetesClient client;

  private SandboxCluster(Path dir, Path kubeconfig) {
    this.dir = dir;
    this.kubeconfig = kubeconfig;
    this.client = new KubernetesClientBuilder().withConfig(config()).build();
  }

  /**
   * Starts a cluster of kwok nodes: control plane, controllers, scheduler, and kwok with the
   * default nodes, where pods are simulated (fast, for behaviour that needs no running pod).
   */
  public static SandboxCluster start(String name) {
    return start(name, List.of());
  }

  /** Starts etcd and kube-apiserver only, for tests of the API itself (CRDs, CEL, apply). */
  public static SandboxCluster startControlPlaneOnly(String name) {
    return start(name, List.of("--control-plane-only"));
  }

  /** Starts a cluster with extra options of {@code start.sh}. */
  public static SandboxCluster start(String name, List<String> options) {
    return start(name, options, List.of());
  }

  /**
   * Starts a kwok cluster with extra options and environment ({@code NAME=value}) of {@code
   * start.sh}.
   */
  public static SandboxCluster start(String name, List<String> options, List<String> env) {
    List<String> kwokOnly = new ArrayList<>(options);
    kwokOnly.add("--kwok-only");
    return startWith(name, kwokOnly, env);
  }

  /**
   * Starts a cluster with its real node (kubelet, containerd, CNI, kube-proxy, CoreDNS, the model
   * file server), loading the given OCI images into the node's containerd, plus extra options.
   */
  public static SandboxCluster startWithRealNode(
      String name, List<Path> images, List<String> options) {
    List<String> all = new ArrayList<>(options);
    images.forEach(i -> all.addAll(List.of("--load-image", i.toString())));
    return startWith(name, all, List.of());
  }

  private static SandboxCluster startWith(String name, List<String> options, List<String> env) {
    Path dir =
        workDir()
            .resolve(name + "-" + ProcessHandle.current().pid() + "-" + STARTED.incrementAndGet());
    List<String> command =
        new ArrayList<>(List.of(script("start.sh").toString(), "--dir", dir.toString()));
    command.addAll(List.of("--owner-pid", Long.toString(ProcessHandle.current().pid())));
    command.addAll(options);
    ScriptRun run = ScriptRun.run(command, env);
    if (run.exitCode() != 0) {
      throw new IllegalStateException(
          "sandbox cluster "
              + name
              + " did not start (exit "
              + run.exitCode()
              + "):\n"
              + run.stderr());
    }
    return new SandboxCluster(dir, Path.of(run.stdout().strip()));
  }

  public KubernetesClient client() {
    return client;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path dir() {
    return dir;
  }

  /**
   * A fresh Fabric8 configuration for this cluster, for clients with other credentials or settings.
   */
  public Config config() {
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The directory the real node's model file server serves (http://models.modelops-sandbox.svc/).
   */
  public Path modelsDir() {
    return dir.resolve("models");
  }

  /**
   * A directory of the real node as the PersistentVolumeClaim {@code claim} in {@code namespace}: a
   * hostPath PersistentVolume bound to it ahead, so no provisioner is needed, in a directory of the
   * cluster's owned by the images' user (10001). Returns the directory, for the test to put files
   * in and read what pods wrote. The volume is retained when the claim goes; the cluster's
   * directory goes with the cluster.
   */
  public Path volume(String namespace, String claim) throws IOException {
    Path path = Files.createDirectories(dir.resolve("volumes").resolve(namespace).resolve(claim));
    Files.setAttribute(path, "unix:uid", IMAGE_USER);
    Files.setAttribute(path, "unix:gid", IMAGE_USER);
    client
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName(namespace + "-" + claim)
                .endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", new Quantity("1Gi")))
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName("")
                .withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath(path.toString(), "Directory")
                .withNewClaimRef()
                .withNamespace(namespace)
                .withName(claim)
                .endClaimRef()
                .endSpec()
                .build())
        .create();
    client
        .persistentVolumeClaims()
        .inNamespace(namespace)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(claim)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName("")
                .withVolumeName(namespace + "-" + claim)
                .withNewResources()
                .withRequests(Map.of("storage", new Quantity("1Gi")))
                .endResources()
                .endSpec()
                .build())
        .create();
    return path;
  }

  /**
   * Relays a loopback port of this machine to host:port inside the real node's network namespace,
   * for example a Service's ClusterIP, which the node's kube-proxy routes.
   */
  public ClusterForward forward(String hostPort) {
    return ClusterForward.start(this, hostPort);
  }

  /** Runs the sandbox's kubectl against this cluster. */
  public ScriptRun kubectl(String... args) {
    List<String> command = new ArrayList<>(List.of(binDir().resolve("kubectl").toString()));
    command.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return ScriptRun.run(command, List.of());
  }

  @Override
  public void close() {
    client.close();
    ScriptRun run =
        ScriptRun.run(
            List.of(script("stop.sh").toString(), "--keep-logs", dir.toString()), List.of());
    if (run.exitCode() != 0) {
      throw new IllegalStateException(
          "stopping the sandbox in " + dir + " failed:\n" + run.stderr());
    }
  }

  /** The root of the repository, from the build's system property or the working directory. */
  /** The process id of one of the cluster's components, as start.sh recorded it. */
  public long pid(String component) throws java.io.IOException {
    return Files.readAllLines(dir.resolve("pids")).stream()
        .filter(l -> l.startsWith(component + " "))
        .map(l -> Long.parseLong(l.substring(component.length() + 1).strip()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(component + " is not in " + dir + "/pids"));
  }

  public static Path repo() {
    String fromBuild = System.getProperty("test.repo.root");
    Path start = Path.of(fromBuild != null ? fromBuild : "").toAbsolutePath();
    for (Path p = start; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("e2e/sandbox"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository (e2e/sandbox) above " + start);
  }

  public static Path script(String name) {
    return repo().resolve("e2e/sandbox").resolve(name);
  }

  /** Where the sandbox binaries are: build.sh builds them once and prints the directory. */
  public static Path binDir() {
    ScriptRun run = ScriptRun.run(List.of(script("build.sh").toString()), List.of());
    if (run.exitCode() != 0) {
      throw new IllegalStateException("the sandbox build failed:\n" + run.stderr());
    }
    return Path.of(run.stdout().strip());
  }

  static Path workDir() {
    return Path.of(System.getProperty("modelops.sandbox.work", "target/sandbox")).toAbsolutePath();
  }
}
