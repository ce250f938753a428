package dev.modelops.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * When each class really started and ended, written to {@code target/class-times.tsv} and stderr.
 * Surefire's class times do not say it: with classes run in parallel, a thread that waits for
 * another class may run a third one meanwhile, and the class it waits in is timed with it.
 * Registered for every class by the service file beside it. Each test run starts the file anew, as
 * Surefire does its reports.
 */
public final class ClassTimes implements BeforeAllCallback, AfterAllCallback {

  static final Path FILE = Path.of("target", "class-times.tsv");
  static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ClassTimes.class);

  /** Whether this run has written the file yet: its first line replaces an earlier run's. */
  private static boolean written;

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NAMESPACE).put("start", Instant.now());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    Instant start = context.getStore(NAMESPACE).get("start", Instant.class);
    Instant end = Instant.now();
    String line =
        String.join(
                "\t",
                context.getRequiredTestClass().getSimpleName(),
                clock(start),
                clock(end),
                String.valueOf(Duration.between(start, end).toSeconds()),
                Thread.currentThread().getName())
            + "\n";
    System.err.print("[e2e] class ran: " + line);
    write(line);
  }

  private static synchronized void write(String line) {
    try {
      Files.writeString(
          FILE,
          line,
          StandardOpenOption.CREATE,
          written ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
      written = true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String clock(Instant instant) {
    return LocalTime.ofInstant(instant, ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
