package dev.modelops.operator.reconciler;

import java.util.regex.Pattern;

/**
 * A message as status conditions and Events may carry it: one line a person can read, no longer
 * than 1 KiB, without what an exception's text drags along. Status and Events are read by every
 * watcher of the resource, so a stack trace (JOSDK's message for a failed workflow holds one per
 * dependent), the API server's address and the request's URL (Fabric8's "Failure executing: PATCH
 * at: https://10.0.0.1/apis/..."), the whole Status object it received, and Java's package names
 * stay in the operator's log.
 */
public final class StatusMessage {

  /**
   * The longest message kept: a message quotes pods, schedulers and containers (a termination
   * message may be 4 KiB), and status is read by every watcher of the resource.
   */
  static final int MAX_LENGTH = 1024;

  /** A stack frame, a "... 12 more", and the causes and suppressed exceptions a dump lists. */
  private static final Pattern DUMP_LINE =
      Pattern.compile(
          "(?m)^[ \\t]*(?:at [\\w$.<>/@:-]+\\(.*\\)|\\.\\.\\. \\d+ (?:more|common frames omitted)"
              + "|Caused by: .*|Suppressed: .*)[ \\t]*$");

  /** Fabric8 appends the API server's whole answer, a Status object as Java prints it. */
  private static final Pattern RECEIVED_STATUS =
      Pattern.compile("(?m)[ \\t]*Received status: Status\\(.*$");

  /** Fabric8's "Failure executing: PATCH at: URL." and the " Message: " that follows it. */
  private static final Pattern FAILURE_EXECUTING =
      Pattern.compile("Failure executing: (\\w+) at: \\S+?\\.(?=\\s|$)(?:\\s*Message:)?");

  /** Any other URL of the Kubernetes API. */
  private static final Pattern API_URL =
      Pattern.compile("\\b(?:https?|wss?)://[^\\s/]+/(?:api|apis|openapi|version)\\b\\S*");

  /** A class name with its package, as an exception's text starts: the simple name is enough. */
  private static final Pattern PACKAGE =
      Pattern.compile("\\b(?:[a-z_][\\w$]*\\.)+(?=[A-Z][\\w$]*(?:Exception|Error|Throwable)\\b)");

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private StatusMessage() {}

  /** The message made fit for status and Events; null stays null. */
  public static String of(String message) {
    if (message == null) {
      return null;
    }
    String text = DUMP_LINE.matcher(message).replaceAll("");
    text = RECEIVED_STATUS.matcher(text).replaceAll("");
    text = FAILURE_EXECUTING.matcher(text).replaceAll("the API server refused a $1:");
    text = API_URL.matcher(text).replaceAll("(the API server)");
    text = PACKAGE.matcher(text).replaceAll("");
    text = WHITESPACE.matcher(text).replaceAll(" ").strip();
    return capped(text);
  }

  static String capped(String message) {
    if (message.length() <= MAX_LENGTH) {
      return message;
    }
    return message.substring(0, MAX_LENGTH - 1) + "…";
  }
}
