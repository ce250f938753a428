package dev.modelops.operator.analysis;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One sample line of Prometheus's text exposition format: {@code name{label="value",...} value
 * [timestamp]}.
 */
record MetricLine(String name, Map<String, String> labels, double value) {

  // Java's own parser would also take hex floats and a trailing d or f, which the format has not.
  private static final Pattern DECIMAL =
      Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
  private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+");

  MetricLine {
    labels = Map.copyOf(labels);
  }

  /** The sample on a line; empty for a comment (HELP and TYPE too), a blank or a malformed line. */
  static Optional<MetricLine> parse(String line) {
    String trimmed = line.strip();
    if (trimmed.isEmpty() || trimmed.startsWith("#")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Reader(trimmed).line());
    } catch (Malformed e) {
      return Optional.empty();
    }
  }

  /** A number as the format writes it: decimal or exponent notation, NaN, +Inf, -Inf. */
  static Optional<Double> number(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "nan" -> Optional.of(Double.NaN);
      case "+inf", "inf" -> Optional.of(Double.POSITIVE_INFINITY);
      case "-inf" -> Optional.of(Double.NEGATIVE_INFINITY);
      default ->
          DECIMAL.matcher(text).matches()
              ? Optional.of(Double.parseDouble(text))
              : Optional.empty();
    };
  }

  /** Thrown only inside the reader, to give up on a line. */
  private static final class Malformed extends RuntimeException {
    Malformed() {
      super(null, null, false, false);
    }
  }

  /** Reads one line from left to right. */
  private static final class Reader {
    private final String text;
    private int at;

    Reader(String text) {
      this.text = text;
    }

    MetricLine line() {
      String name = name(true);
      Map<String, String> labels = new HashMap<>();
      int blanks = skipSpaces();
      if (peek('{')) {
        at++;
        readLabels(labels);
        blanks = skipSpaces();
      }
      if (blanks == 0) {
        throw new Malformed();
      }
      // The value, an optional timestamp, then an optional OpenMetrics exemplar: "# {...} 1.0".
      List<String> rest = List.of(text.substring(at).split("[ \t]+"));
      int end = rest.indexOf("#") < 0 ? rest.size() : rest.indexOf("#");
      if (end == 0 || end > 2 || (end == 2 && !TIMESTAMP.matcher(rest.get(1)).matches())) {
        throw new Malformed();
      }
      return new MetricLine(name, labels, number(rest.get(0)).orElseThrow(Malformed::new));
    }

    private void readLabels(Map<String, String> labels) {
      while (true) {
        skipSpaces();
        if (peek('}')) {
          at++;
          return;
        }
        String label = name(false);
        skipSpaces();
        expect('=');
        skipSpaces();
        if (labels.put(label, quoted()) != null) {
          throw new Malformed();
        }
        skipSpaces();
        if (peek(',')) {
          at++;
        } else if (!peek('}')) {
          throw new Malformed();
        }
      }
    }

    /** A metric name (colons allowed) or a label name. */
    private String name(boolean metric) {
      int start = at;
      while (at < text.length() && isNameChar(text.charAt(at), at == start, metric)) {
        at++;
      }
      if (at == start) {
        throw new Malformed();
      }
      return text.substring(start, at);
    }

    private static boolean isNameChar(char c, boolean first, boolean metric) {
      return (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || c == '_'
          || (metric && c == ':')
          || (!first && c >= '0' && c <= '9');
    }

    /** A quoted label value, with the format's three escapes: \\, \" and \n. */
    private String quoted() {
      expect('"');
      StringBuilder value = new StringBuilder();
      while (at < text.length()) {
        char c = text.charAt(at++);
        if (c == '"') {
          return value.toString();
        }
        if (c == '\\') {
          if (at == text.length()) {
            throw new Malformed();
          }
          char escaped = text.charAt(at++);
          value.append(
              switch (escaped) {
                case '\\', '"' -> escaped;
                case 'n' -> '\n';
                default -> throw new Malformed();
              });
        } else {
          value.append(c);
        }
      }
      throw new Malformed();
    }

    private boolean peek(char c) {
      return at < text.length() && text.charAt(at) == c;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw new Malformed();
      }
      at++;
    }

    /** Skips blanks and tabs and says how many. */
    private int skipSpaces() {
      int start = at;
      while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
        at++;
      }
      return at - start;
    }
  }
}
