package dev.modelops.e2e.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Collectors;

/** The versions pinned in {@code e2e/sandbox/versions.env}, so tests never repeat them. */
public final class SandboxVersions {

  private SandboxVersions() {}

  public static String get(String name) {
    Map<String, String> versions;
    try {
      versions =
          Files.readAllLines(SandboxCluster.script("versions.env")).stream()
              .filter(line -> line.matches("[A-Z_]+=.*"))
              .collect(
                  Collectors.toMap(
                      l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String version = versions.get(name);
    if (version == null) {
      throw new IllegalArgumentException(name + " is not in versions.env: " + versions.keySet());
    }
    return version;
  }
}
