package dev.modelops.runtime.inference;

import dev.modelops.runtime.config.AdmissionLimits;
import dev.modelops.runtime.metrics.RuntimeMetrics;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Dynamic batching: requests that arrive together are merged along their first dimension into one
 * model run of at most {@code maxRows} rows, waiting at most {@code maxDelay} for company, and each
 * caller gets its own rows back. A batch is formed only when a runner is free, so a busy model
 * naturally gets larger batches.
 */
public final class Batcher implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Batcher.class);

  /**
   * A request on its way to a model run. It is claimed once: by the dispatcher, to run it, or by
   * its deadline, to refuse it; whichever comes first, the other lets it be.
   */
  private static final class Pending {
    final Map<String, Tensor> feed;
    final Set<String> wanted;
    final long rows;
    final long enqueued = System.nanoTime();
    final CompletableFuture<Map<String, Tensor>> result = new CompletableFuture<>();
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile ScheduledFuture<?> expiry;

    Pending(Map<String, Tensor> feed, Set<String> wanted, long rows) {
      this.feed = feed;
      this.wanted = wanted;
      this.rows = rows;
    }

    boolean claim() {
      if (!claimed.compareAndSet(false, true)) {
        return false;
      }
      ScheduledFuture<?> timer = expiry;
      if (timer != null) {
        timer.cancel(false);
      }
      return true;
    }
  }

  /** One model run: ONNX Runtime's, through a {@link ModelSession}. */
  @FunctionalInterface
  interface ModelRun {
    Map<String, Tensor> run(Map<String, Tensor> feed, Set<String> wanted) throws Exception;
  }

  private final ModelRun model;
  private final int maxRows;
  private final long maxDelayNanos;
  private final RuntimeMetrics metrics;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Deque<Pending> carried = new ArrayDeque<>();
  private final Semaphore runners;

  /** Requests submitted and not yet answered: a lone request does not wait for company. */
  private final AtomicInteger inFlight = new AtomicInteger();

  /** Requests in the queue, not yet claimed by a run or their deadline. */
  private final AtomicInteger waiting = new AtomicInteger();

  private final int maxQueue;
  private final Duration deadline;
  private final ScheduledThreadPoolExecutor deadlines;

  private final ExecutorService pool;
  private final Thread dispatcher;
  private volatile boolean closed;

  public Batcher(
      ModelSession session,
      int maxRows,
      Duration maxDelay,
      int parallelRuns,
      RuntimeMetrics metrics) {
    this(session, maxRows, maxDelay, parallelRuns, Integer.MAX_VALUE, Duration.ofDays(1), metrics);
  }

  /**
   * @param maxQueue requests that may wait for a run; one more is refused (429)
   * @param deadline the longest a request waits; it is then answered 503 and never run
   */
  public Batcher(
      ModelSession session,
      int maxRows,
      Duration maxDelay,
      int parallelRuns,
      int maxQueue,
      Duration deadline,
      RuntimeMetrics metrics) {
    this(session::run, maxRows, maxDelay, parallelRuns, maxQueue, deadline, metrics);
  }

  Batcher(
      ModelRun model,
      int maxRows,
      Duration maxDelay,
      int parallelRuns,
      int maxQueue,
      Duration deadline,
      RuntimeMetrics metrics) {
    this.model = model;
    this.maxRows = maxRows;
    this.maxDelayNanos = maxDelay.toNanos();
    this.metrics = metrics;
    this.maxQueue = maxQueue;
    this.deadline = deadline;
    this.deadlines =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().name("batch-deadlines").daemon().factory());
    // A request answered in time takes its timer out of the queue, and with it the tensors it
    // would keep alive until the deadline.
    this.deadlines.setRemoveOnCancelPolicy(true);
    this.runners = new Semaphore(parallelRuns);
    // Twice the runners: a thread that settles its batch's answers (encoding them) leaves the
    // runner free, and the next batch starts on another thread instead of waiting behind it.
    this.pool =
        Executors.newFixedThreadPool(
            2 * parallelRuns, Thread.ofPlatform().name("model-run-", 0).daemon().factory());
    this.dispatcher = Thread.ofPlatform().name("batcher").daemon().start(this::dispatch);
  }

  /**
   * Queues a request, or runs it at once in the calling thread when no other request is in flight
   * and a runner is free; the future completes with its own outputs or fails with an {@link
   * InferenceException}.
   */
  public CompletableFuture<Map<String, Tensor>> submit(
      Map<String, Tensor> feed, Set<String> wanted) {
    long rows = feed.values().iterator().next().rows();
    Pending p = new Pending(feed, wanted, rows);
    if (closed) {
      p.result.completeExceptionally(
          new InferenceException(503, "not_ready", "the server is shutting down"));
      return p.result;
    }
    boolean alone = inFlight.incrementAndGet() == 1;
    if (alone && runners.tryAcquire()) {
      // Nobody to batch with: run it in the caller's thread rather than hop to the batcher's.
      p.claim();
      runAndSettle(List.of(p), rows);
      return p.result;
    }
    if (waiting.incrementAndGet() > maxQueue) {
      waiting.decrementAndGet();
      inFlight.decrementAndGet();
      p.result.completeExceptionally(
          InferenceException.overloaded(
              "queue_length",
              ("the batch queue is full: %d requests wait for a model run,"
                      + " MODELOPS_ADMISSION_MAX_QUEUE=%d; retry later")
                  .formatted(maxQueue, maxQueue)));
      return p.result;
    }
    p.expiry = deadlines.schedule(() -> expire(p), deadline.toNanos(), TimeUnit.NANOSECONDS);
    queue.add(p);
    return p.result;
  }

  /** The request waited its whole deadline: refused, unless a run claimed it first. */
  private void expire(Pending p) {
    if (!p.claimed.compareAndSet(false, true)) {
      return;
    }
    // Out of the queue at once, so its tensors go now rather than when the dispatcher gets to it.
    queue.remove(p);
    waiting.decrementAndGet();
    inFlight.decrementAndGet();
    p.result.completeExceptionally(
        InferenceException.deadlineExceeded(
            ("the request waited in the batch queue for its whole deadline,"
                    + " MODELOPS_ADMISSION_QUEUE_DEADLINE=%s, and was not run; retry later")
                .formatted(AdmissionLimits.text(deadline))));
  }

  /** Claims a queued request for a run; false when its deadline claimed it first. */
  private boolean claimForRun(Pending p) {
    if (!p.claim()) {
      return false;
    }
    waiting.decrementAndGet();
    return true;
  }

  /** Requests waiting in the queue now. */
  public int queued() {
    return waiting.get();
  }

  private void dispatch() {
    while (!closed) {
      try {
        Pending first = carried.isEmpty() ? queue.take() : carried.poll();
        runners.acquire();
        if (!claimForRun(first)) {
          // Its deadline came while it waited for a runner.
          runners.release();
          continue;
        }
        List<Pending> batch = new ArrayList<>(List.of(first));
        long rows = first.rows;
        long deadline = System.nanoTime() + maxDelayNanos;
        while (rows < maxRows) {
          // Wait for company only while other requests are on their way; otherwise run now.
          long wait = inFlight.get() > batch.size() ? Math.max(0, deadline - System.nanoTime()) : 0;
          Pending next =
              carried.isEmpty() ? queue.poll(wait, TimeUnit.NANOSECONDS) : carried.poll();
          if (next == null) {
            break;
          }
          if (!compatible(first, next) || rows + next.rows > maxRows) {
            carried.addFirst(next);
            break;
          }
          if (!claimForRun(next)) {
            continue;
          }
          batch.add(next);
          rows += next.rows;
        }
        long total = rows;
        pool.execute(() -> runAndSettle(batch, total));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Same outputs asked for, and every input alike but for its first dimension. */
  private static boolean compatible(Pending a, Pending b) {
    if (!a.wanted.equals(b.wanted)) {
      return false;
    }
    for (Tensor t : a.feed.values()) {
      Tensor u = b.feed.get(t.name());
      if (u == null || u.datatype() != t.datatype() || u.shape().length != t.shape().length) {
        return false;
      }
      if (!Arrays.equals(t.shape(), 1, t.shape().length, u.shape(), 1, u.shape().length)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs a batch on a runner the caller holds, lets the runner go, then answers the batch's
   * requests, so encoding the answers never holds up the next model run. Every request is answered,
   * whatever fails; an {@link Error} other than a native library's (out of memory, a stack
   * overflow) is no answer: each request's future fails with it, and it goes on up the thread.
   */
  private void runAndSettle(List<Pending> batch, long rows) {
    long started = System.nanoTime();
    List<Answer> answers;
    try {
      answers = run(batch, rows);
    } catch (Exception | LinkageError e) {
      InferenceException failure = failure(e);
      answers = batch.stream().map(p -> new Answer(p, null, failure)).toList();
    } catch (Error e) {
      for (Pending p : batch) {
        inFlight.decrementAndGet();
        p.result.completeExceptionally(e);
      }
      throw e;
    } finally {
      runners.release();
    }
    for (Answer a : answers) {
      inFlight.decrementAndGet();
      if (a.failure() == null) {
        a.request().result.complete(a.outputs());
      } else {
        a.request().result.completeExceptionally(a.failure());
      }
    }
    for (Pending p : batch) {
      metrics.queued(Duration.ofNanos(started - p.enqueued));
    }
  }

  /** What one request gets: its outputs or its failure. */
  private record Answer(Pending request, Map<String, Tensor> outputs, InferenceException failure) {}

  /**
   * Runs a batch and splits its outputs by request. A merged run that fails is split in halves and
   * each half run again, down to single requests, so a request that makes the model fail fails
   * alone, at the cost of a few runs, not one per request. An {@link Error} is not split: no half
   * of the batch is to blame for the JVM running out of memory, and running it again would only ask
   * for more; a native library that cannot be linked fails every request alike.
   */
  private List<Answer> run(List<Pending> batch, long rows) {
    Map<String, Tensor> out;
    try {
      Map<String, Tensor> merged = batch.size() == 1 ? batch.get(0).feed : merge(batch, rows);
      out = model.run(merged, batch.get(0).wanted);
    } catch (InferenceException refused) {
      // Refused before the model ran (the session is closing, or a datatype ONNX Runtime Java
      // lacks): the same for every request of the batch, which a split would not change.
      return batch.stream().map(p -> new Answer(p, null, refused)).toList();
    } catch (LinkageError e) {
      InferenceException failed = failure(e);
      return batch.stream().map(p -> new Answer(p, null, failed)).toList();
    } catch (Exception e) {
      if (batch.size() == 1) {
        LOG.debugf("model run failed: %s", e.getMessage());
        return List.of(new Answer(batch.get(0), null, failure(e)));
      }
      metrics.batchSplit();
      List<Pending> first = batch.subList(0, batch.size() / 2);
      List<Pending> second = batch.subList(batch.size() / 2, batch.size());
      List<Answer> answers = new ArrayList<>(run(first, rowsOf(first)));
      answers.addAll(run(second, rowsOf(second)));
      return answers;
    }
    metrics.batch(batch.size(), rows);
    if (batch.size() == 1) {
      return List.of(new Answer(batch.get(0), out, null));
    }
    for (Tensor t : out.values()) {
      if (t.rows() != rows) {
        InferenceException wrong =
            new InferenceException(
                500,
                "model_error",
                "output " + t.name() + " has " + t.rows() + " rows for a batch of " + rows);
        return batch.stream().map(p -> new Answer(p, null, wrong)).toList();
      }
    }
    List<Answer> answers = new ArrayList<>();
    long offset = 0;
    for (Pending p : batch) {
      Map<String, Tensor> mine = new LinkedHashMap<>();
      for (Tensor t : out.values()) {
        mine.put(t.name(), slice(t, offset, p.rows));
      }
      offset += p.rows;
      answers.add(new Answer(p, mine, null));
    }
    return answers;
  }

  private static long rowsOf(List<Pending> requests) {
    return requests.stream().mapToLong(p -> p.rows).sum();
  }

  private static InferenceException failure(Throwable e) {
    return e instanceof InferenceException known
        ? known
        : new InferenceException(500, "model_error", "the model failed: " + e.getMessage());
  }

  static Map<String, Tensor> merge(List<Pending> batch, long rows) {
    Map<String, Tensor> merged = new LinkedHashMap<>();
    for (Tensor first : batch.get(0).feed.values()) {
      long[] shape = first.shape().clone();
      shape[0] = rows;
      if (first.datatype() == Datatype.BYTES) {
        List<byte[]> all = new ArrayList<>();
        for (Pending p : batch) {
          all.addAll(Arrays.asList(p.feed.get(first.name()).strings()));
        }
        merged.put(first.name(), Tensor.bytes(first.name(), shape, all.toArray(new byte[0][])));
      } else {
        int size = 0;
        for (Pending p : batch) {
          size += p.feed.get(first.name()).data().remaining();
        }
        ByteBuffer data = ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
        for (Pending p : batch) {
          data.put(p.feed.get(first.name()).data().duplicate());
        }
        merged.put(
            first.name(), Tensor.numeric(first.name(), first.datatype(), shape, data.flip()));
      }
    }
    return merged;
  }

  static Tensor slice(Tensor t, long fromRow, long rows) {
    long[] shape = t.shape().clone();
    shape[0] = rows;
    long perRow = t.rows() == 0 ? 0 : t.elementCount() / t.rows();
    if (t.datatype() == Datatype.BYTES) {
      return Tensor.bytes(
          t.name(),
          shape,
          Arrays.copyOfRange(
              t.strings(), (int) (fromRow * perRow), (int) ((fromRow + rows) * perRow)));
    }
    int start = (int) (fromRow * perRow * t.datatype().size);
    int length = (int) (rows * perRow * t.datatype().size);
    ByteBuffer part =
        t.data()
            .duplicate()
            .position(start)
            .limit(start + length)
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    return Tensor.numeric(t.name(), t.datatype(), shape, part);
  }

  @Override
  public void close() {
    closed = true;
    dispatcher.interrupt();
    pool.shutdown();
    deadlines.shutdownNow();
  }
}
