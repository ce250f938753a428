package dev.modelops.runtime.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies the server holds, from the first byte read to the answer, under a
 * bound: a request reserves its bytes before they are read (its declared length, or each chunk as
 * it comes) and gives them back once when it is answered or gone.
 */
final class InFlightBytes {

  private final long limit;
  private final AtomicLong held = new AtomicLong();

  InFlightBytes(long limit) {
    this.limit = limit;
  }

  long limit() {
    return limit;
  }

  long held() {
    return held.get();
  }

  private boolean tryTake(long bytes) {
    long now;
    do {
      now = held.get();
      if (now + bytes > limit) {
        return false;
      }
    } while (!held.compareAndSet(now, now + bytes));
    return true;
  }

  /** What one request holds; given back once, whichever path ends it. */
  final class Reservation {
    private final AtomicLong reserved = new AtomicLong();

    long reserved() {
      return reserved.get();
    }

    /** Reserves {@code bytes} more, or nothing when that would pass the bound. */
    boolean grow(long bytes) {
      if (!tryTake(bytes)) {
        return false;
      }
      reserved.addAndGet(bytes);
      return true;
    }

    void release() {
      held.addAndGet(-reserved.getAndSet(0));
    }
  }

  Reservation reservation() {
    return new Reservation();
  }
}
