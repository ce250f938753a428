package dev.modelops.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackagedAppTest {

  @TempDir Path module;

  @Test
  void aJarOlderThanItsSourcesIsRefusedByName() throws Exception {
    assertThatThrownBy(() -> PackagedApp.jar(module, "operator"))
        .hasMessageContaining("quarkus-run.jar is missing")
        .hasMessageContaining("./mvnw -pl operator -am package");

    Path jar =
        Files.createDirectories(module.resolve("target/quarkus-app")).resolve("quarkus-run.jar");
    Files.writeString(jar, "jar");
    Path source = Files.createDirectories(module.resolve("src/main/java")).resolve("A.java");
    Files.writeString(source, "class A {}");
    Files.writeString(module.resolve("pom.xml"), "<project/>");
    Instant now = Instant.now();
    Files.setLastModifiedTime(source, FileTime.from(now.minusSeconds(60)));
    Files.setLastModifiedTime(module.resolve("pom.xml"), FileTime.from(now.minusSeconds(60)));
    Files.setLastModifiedTime(jar, FileTime.from(now.minusSeconds(30)));
    assertThat(PackagedApp.jar(module, "operator")).isEqualTo(jar);

    Files.setLastModifiedTime(source, FileTime.from(now));
    assertThatThrownBy(() -> PackagedApp.jar(module, "operator"))
        .hasMessageContaining("is older than " + source)
        .hasMessageContaining("stale");
  }
}
