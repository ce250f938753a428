package dev.modelops.operator.rollout;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as Kubernetes and Go write them: 30s, 2m, 1h30m, 250ms, 1.5s. */
public final class GoDuration {

  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|ms|s|m|h)");

  private GoDuration() {}

  /** The duration, or IllegalArgumentException naming what is wrong (the schema checks first). */
  public static Duration parse(String text) {
    Matcher m = PART.matcher(text == null ? "" : text);
    long nanos = 0;
    int end = 0;
    while (m.find() && m.start() == end) {
      double value = Double.parseDouble(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      nanos += Math.round(value * unit);
      end = m.end();
    }
    if (end == 0 || end != text.length()) {
      throw new IllegalArgumentException("not a duration like 30s, 2m or 1h30m: " + text);
    }
    return Duration.ofNanos(nanos);
  }

  /** A short form for messages: 12ms, 1.5s, 2m0s. */
  public static String format(Duration d) {
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      double ms = d.toNanos() / 1e6;
      return (ms >= 10
              ? Long.toString(Math.round(ms))
              : String.format(java.util.Locale.ROOT, "%.2f", ms))
          + "ms";
    }
    if (d.compareTo(Duration.ofMinutes(1)) < 0) {
      return String.format(java.util.Locale.ROOT, "%.1fs", d.toNanos() / 1e9).replace(".0s", "s");
    }
    return d.toMinutes() + "m" + d.toSecondsPart() + "s";
  }
}
