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
                  ModelFetcher.Policy.DEFAULT,
                  Optional.ofNullable(System.getenv(ModelFetcher.AUTHORIZATION_ENV)))
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
}
