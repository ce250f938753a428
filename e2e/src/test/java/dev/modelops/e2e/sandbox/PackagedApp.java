package dev.modelops.e2e.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The packaged Quarkus application of a module, refused when it is missing or older than its
 * sources: {@code ./test.sh -pl e2e} alone must not pass on a stale operator or runtime.
 */
public final class PackagedApp {

  private PackagedApp() {}

  /** operator/target/quarkus-app/quarkus-run.jar (or runtime-image's), checked fresh. */
  public static Path jar(String module) {
    return jar(SandboxCluster.repo().resolve(module), module);
  }

  static Path jar(Path dir, String module) {
    Path jar = dir.resolve("target/quarkus-app/quarkus-run.jar");
    String rebuild = "build it with ./mvnw -pl " + module + " -am package, or run ./test.sh whole";
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: " + rebuild);
    }
    Optional<Path> newer =
        newerThan(lastModified(jar), dir.resolve("src/main"), dir.resolve("pom.xml"));
    if (newer.isPresent()) {
      throw new IllegalStateException(
          jar + " is older than " + newer.get() + ": the tests would run stale code; " + rebuild);
    }
    return jar;
  }

  private static Optional<Path> newerThan(FileTime built, Path... sources) {
    for (Path source : sources) {
      try (Stream<Path> files = Files.walk(source)) {
        Optional<Path> newer =
            files
                .filter(Files::isRegularFile)
                .filter(f -> lastModified(f).compareTo(built) > 0)
                .findFirst();
        if (newer.isPresent()) {
          return newer;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return Optional.empty();
  }

  private static FileTime lastModified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
