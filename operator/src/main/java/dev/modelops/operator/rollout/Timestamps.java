package dev.modelops.operator.rollout;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Times as status writes them: RFC 3339 in whole seconds, as Kubernetes conditions keep them. */
public final class Timestamps {

  private Timestamps() {}

  public static String seconds(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
