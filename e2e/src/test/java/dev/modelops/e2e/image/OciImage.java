package dev.modelops.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.e2e.sandbox.ScriptRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * An image built offline by runtime-image/image/build_image.py, checked as a registry checks it
 * (every digest) and unpacked as a container runtime unpacks it, to run its entrypoint in a chroot
 * as its user.
 */
record OciImage(JsonNode config, Path rootfs) {

  static final ObjectMapper JSON = new ObjectMapper();

  /** The loader path a bare chroot needs: Kubernetes mounts /proc, where it finds $ORIGIN. */
  static final String LIBRARY_PATH = "LD_LIBRARY_PATH=/opt/java/lib:/opt/java/lib/server";

  /** Checks the OCI layout oci and unpacks its layer into out/rootfs. */
  static OciImage unpack(Path oci, Path out) throws Exception {
    JsonNode index = JSON.readTree(oci.resolve("index.json").toFile());
    JsonNode manifest = JSON.readTree(verifiedBlob(oci, index.at("/manifests/0/digest").asText()));
    JsonNode config = JSON.readTree(verifiedBlob(oci, manifest.at("/config/digest").asText()));
    String layerDigest = manifest.at("/layers/0/digest").asText();
    verifiedBlob(oci, layerDigest);
    Path layer = oci.resolve("blobs/sha256").resolve(layerDigest.substring("sha256:".length()));

    Path rootfs = Files.createDirectories(out.resolve("rootfs"));
    ScriptRun unpack =
        ScriptRun.run(List.of("tar", "-xzf", layer.toString(), "-C", rootfs.toString()), List.of());
    assertThat(unpack.exitCode()).as(unpack.stderr()).isZero();
    for (String[] device : new String[][] {{"null", "3"}, {"random", "8"}, {"urandom", "9"}}) {
      ScriptRun mknod =
          ScriptRun.run(
              List.of(
                  "mknod",
                  "-m",
                  "666",
                  rootfs.resolve("dev").resolve(device[0]).toString(),
                  "c",
                  "1",
                  device[1]),
              List.of());
      assertThat(mknod.exitCode()).as("mknod needs root: %s", mknod.stderr()).isZero();
    }
    return new OciImage(config, rootfs);
  }

  /** The image's entrypoint with these arguments (its Cmd when none), in a chroot as its user. */
  List<String> command(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "/usr/sbin/chroot",
                "--userspec=" + config.at("/config/User").asText(),
                rootfs.toString()));
    config.at("/config/Entrypoint").forEach(e -> command.add(e.asText()));
    if (args.length == 0) {
      config.at("/config/Cmd").forEach(e -> command.add(e.asText()));
    } else {
      command.addAll(List.of(args));
    }
    return command;
  }

  /**
   * Whether a running JVM has its image's AOT cache mapped, from /proc: a JVM that cannot use the
   * cache (another JVM, another class path) warns, unmaps it and starts without it.
   */
  static boolean mapsAotCache(Process process) throws Exception {
    return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "maps")).stream()
        .anyMatch(l -> l.endsWith("/app/app.aot"));
  }

  /** The uid a process runs as, from /proc. */
  static long uid(Process process) throws Exception {
    return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
        .filter(l -> l.startsWith("Uid:"))
        .map(l -> Long.parseLong(l.split("\\s+")[1]))
        .findFirst()
        .orElseThrow();
  }

  static byte[] verifiedBlob(Path oci, String digest) throws Exception {
    byte[] data =
        Files.readAllBytes(
            oci.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())));
    String actual =
        "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    assertThat(actual).as("blob digest").isEqualTo(digest);
    return data;
  }
}
