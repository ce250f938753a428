package dev.modelops.runtime.model;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code fetch --uri URI [--sha256 HEX] --dest FILE}: the init step. Exit 0 with the model at FILE,
 * 1 with a one-line reason (also in /dev/termination-log for the operator to read), 2 for wrong
 * usage. The reason starts with a word a program can switch on, {@code ChecksumMismatch:} or {@code
 * ModelFetchFailed:}, then says what happened.
 */
public final class FetchCommand {

  static final String USAGE =
      "usage: fetch --uri <http(s)://...|file://...|/path> [--sha256 <hex>] --dest <file>";
  static final String CHECKSUM_MISMATCH = "ChecksumMismatch";
  static final String MODEL_FETCH_FAILED = "ModelFetchFailed";

  private FetchCommand() {}

  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, System.getenv(), out, err);
  }

  /** The command with {@code env} as its environment. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        err.println("fetch: unexpected argument '" + args[i] + "'; " + USAGE);
        return 2;
      }
      options.put(args[i].substring(2), args[++i]);
    }
    if (!options.containsKey("uri") || !options.containsKey("dest")) {
      err.println("fetch: --uri and --dest are required; " + USAGE);
      return 2;
    }
    Path dest = Path.of(options.get("dest"));
    try {
      Path fetched =
          new ModelFetcher(
                  policy(env), Optional.ofNullable(env.get(ModelFetcher.AUTHORIZATION_ENV)))
              .fetch(options.get("uri"), Optional.ofNullable(options.get("sha256")), dest);
      if (!fetched.equals(dest)) {
        Files.createDirectories(dest.toAbsolutePath().getParent());
        Files.copy(fetched, dest, StandardCopyOption.REPLACE_EXISTING);
      }
      out.println("fetch: model ready at " + dest);
      return 0;
    } catch (IOException | RuntimeException e) {
      // Whatever the cause (a URI the HTTP client refuses is an IllegalArgumentException), one
      // line says it.
      String code =
          e instanceof ModelFetcher.ChecksumMismatchException
              ? CHECKSUM_MISMATCH
              : MODEL_FETCH_FAILED;
      // Whatever quotes the URI (the parser's message does, whole), its credentials are hidden.
      String reason =
          code
              + ": "
              + ModelFetcher.redact(
                  e instanceof IOException
                      ? e.getMessage()
                      : "cannot fetch " + options.get("uri") + ": " + e.getMessage());
      err.println(reason);
      TerminationLog.write(TerminationLog.DEFAULT, reason);
      return 1;
    }
  }

  /** The default policy with the bounds the environment sets ({@code MODELOPS_FETCH_*}). */
  static ModelFetcher.Policy policy(Map<String, String> env) {
    ModelFetcher.Policy policy = ModelFetcher.Policy.DEFAULT;
    String maxBytes = env.get(ModelFetcher.Policy.MAX_BYTES_ENV);
    if (maxBytes != null && !maxBytes.isBlank()) {
      long bytes;
      try {
        bytes = Long.parseLong(maxBytes.strip());
      } catch (NumberFormatException e) {
        bytes = -1;
      }
      if (bytes < 1) {
        throw new IllegalArgumentException(
            "%s must be a positive number of bytes, got '%s'"
                .formatted(ModelFetcher.Policy.MAX_BYTES_ENV, maxBytes));
      }
      policy = policy.withMaxBytes(bytes);
    }
    String denied = env.get(DeniedNetworks.ENV);
    if (denied != null) {
      policy = policy.withDenied(DeniedNetworks.parse(denied));
    }
    return policy;
  }
}
