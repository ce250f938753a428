package dev.modelops.runtime.config;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The bounds admission control enforces, with the unset ones derived from the JVM's maximum heap. A
 * request body is at most {@code maxRequestBytes}, which is never more than the bytes allowed in
 * flight: a larger body could never be admitted, so it is refused as too large (413) instead of
 * being told to retry (429).
 *
 * @param maxInFlightBytes bytes of request bodies held at once
 * @param maxQueue requests waiting in the batch queue
 * @param queueDeadline the longest a request waits in the batch queue
 * @param maxRequestBytes the largest request body
 */
public record AdmissionLimits(
    long maxInFlightBytes, int maxQueue, Duration queueDeadline, long maxRequestBytes) {

  private static final long MIB = 1024 * 1024;

  /**
   * The defaults: an eighth of the heap for bodies in flight, since a body is held about three
   * times over while it is read, decoded and run (the network's buffers, the joined body, the
   * tensors in direct memory, which the JVM bounds by the heap's size again) next to the model's
   * own memory; and one queued request per MiB of heap, from 16 to 4096, since each holds a few KiB
   * besides its tensors (its connection, its future) and a longer queue only waits out its
   * deadline.
   */
  public static AdmissionLimits of(RuntimeConfig config, long maxHeapBytes) {
    RuntimeConfig.Admission a = config.admission();
    return of(
        a.maxInFlightBytes(),
        a.maxQueue(),
        a.queueDeadline(),
        config.maxRequestBytes(),
        maxHeapBytes);
  }

  static AdmissionLimits of(
      OptionalLong maxInFlightBytes,
      OptionalInt maxQueue,
      Duration queueDeadline,
      long maxRequestBytes,
      long maxHeapBytes) {
    long inFlight = maxInFlightBytes.orElse(Math.max(MIB, maxHeapBytes / 8));
    int queue = maxQueue.orElse(Math.clamp(maxHeapBytes / MIB, 16, 4096));
    if (inFlight < 1 || queue < 1 || !queueDeadline.isPositive()) {
      throw new IllegalStateException(
          ("MODELOPS_ADMISSION_MAX_IN_FLIGHT_BYTES (%d), MODELOPS_ADMISSION_MAX_QUEUE (%d) and"
                  + " MODELOPS_ADMISSION_QUEUE_DEADLINE (%s) must be positive")
              .formatted(inFlight, queue, text(queueDeadline)));
    }
    return new AdmissionLimits(inFlight, queue, queueDeadline, Math.min(maxRequestBytes, inFlight));
  }

  /** A duration as the settings write it: {@code 10s}, {@code 100ms}. */
  public static String text(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }
}
