package dev.modelops.e2e;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.pollinterval.IterativePollInterval;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * How often an await asks again, unless it says: after 100 ms, then twice as long each time, up to
 * every 500 ms. A condition that comes quickly is seen quickly, and one that takes a pod's start
 * (tens of seconds) is not asked ten times a second: every ask is a request to the sandbox's API
 * server and a response the test's client decodes, and with two classes at once on two cores that
 * CPU was a tenth of the end-to-end tests' (a JFR profile of the test JVM and a per-process CPU
 * count, docs/development.md). Registered for every class by the service file beside it.
 */
public final class AwaitPolicy implements BeforeAllCallback {

  static final Duration FIRST = Duration.ofMillis(100);
  static final Duration LONGEST = Duration.ofMillis(500);

  @Override
  public void beforeAll(ExtensionContext context) {
    Awaitility.setDefaultPollInterval(
        new IterativePollInterval(
            previous ->
                previous.multipliedBy(2).compareTo(LONGEST) > 0
                    ? LONGEST
                    : previous.multipliedBy(2),
            FIRST));
  }
}
