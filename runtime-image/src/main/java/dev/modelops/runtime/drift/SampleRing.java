package dev.modelops.runtime.drift;

import dev.modelops.runtime.inference.Tensor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hand-off from the request threads to the thread that keeps the windows: a bounded ring of
 * rows (the recorded input columns, then the output's class or score). A request copies its rows in
 * without allocating or waiting: when another request is copying at that moment, or the ring is
 * full because the windows' thread is behind, its rows are dropped and counted instead. One reader
 * takes the rows out.
 */
final class SampleRing {

  private static final VarHandle FLOAT =
      MethodHandles.byteBufferViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle DOUBLE =
      MethodHandles.byteBufferViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle SHORT =
      MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  /** About 8 MB of doubles at most, whatever the number of features. */
  static final int MAX_VALUES = 1 << 20;

  private final int features;
  private final boolean output;
  private final RecordPlan.OutputKind kind;
  private final int width;
  private final int capacity;
  private final double[] values;
  private final AtomicBoolean writing = new AtomicBoolean();
  private final LongAdder dropped = new LongAdder();
  private volatile long written;
  private volatile long read;

  SampleRing(RecordPlan plan) {
    this(plan, Math.max(256, Math.min(65536, MAX_VALUES / Math.max(1, plan.width()))));
  }

  SampleRing(RecordPlan plan, int capacityRows) {
    this.features = plan.features().size();
    this.output = plan.output().isPresent();
    this.kind = plan.outputKind().orElse(RecordPlan.OutputKind.SCORE);
    this.width = Math.max(1, plan.width());
    this.capacity = capacityRows;
    this.values = new double[capacityRows * width];
  }

  /**
   * Copies a request's rows: {@code input} is the recorded input (null when inputs are not
   * recorded), {@code out} the recorded output (null when absent). Never blocks.
   */
  void offer(Tensor input, Tensor out) {
    long rows = input != null ? input.rows() : out != null ? out.rows() : 0;
    if (rows <= 0 || (input == null && features > 0)) {
      return;
    }
    if (!writing.compareAndSet(false, true)) {
      dropped.add(rows);
      return;
    }
    try {
      long head = written;
      int take = (int) Math.min(rows, capacity - (head - read));
      int columns = input == null ? 0 : (int) (input.elementCount() / rows);
      if (columns < features) {
        return; // a free second dimension with fewer columns than the baseline's features
      }
      boolean withOutput = output && out != null && out.rows() == rows;
      int outColumns = withOutput ? (int) (out.elementCount() / rows) : 0;
      for (int r = 0; r < take; r++) {
        int slot = (int) ((head + r) % capacity) * width;
        for (int c = 0; c < features; c++) {
          values[slot + c] = value(input, (long) r * columns + c);
        }
        if (output) {
          values[slot + features] = withOutput ? predicted(out, r, outColumns, kind) : Double.NaN;
        }
      }
      written = head + take;
      if (take < rows) {
        dropped.add(rows - take);
      }
    } finally {
      writing.set(false);
    }
  }

  /** A row's predicted class (the argmax of its scores) or its one score. */
  static double predicted(Tensor out, int row, int columns, RecordPlan.OutputKind kind) {
    long first = (long) row * columns;
    if (kind == RecordPlan.OutputKind.SCORE || columns == 1) {
      return value(out, first);
    }
    int best = 0;
    double max = value(out, first);
    for (int c = 1; c < columns; c++) {
      double v = value(out, first + c);
      if (v > max) {
        max = v;
        best = c;
      }
    }
    return best;
  }

  /** One element of a numeric tensor as a double; NaN for a datatype that is not recorded. */
  static double value(Tensor t, long index) {
    ByteBuffer b = t.data();
    int at = b.position() + (int) (index * t.datatype().size);
    return switch (t.datatype()) {
      case FP32 -> (float) FLOAT.get(b, at);
      case FP64 -> (double) DOUBLE.get(b, at);
      case INT64 -> (long) LONG.get(b, at);
      case INT32 -> (int) INT.get(b, at);
      case INT16 -> (short) SHORT.get(b, at);
      case INT8 -> b.get(at);
      case UINT8 -> b.get(at) & 0xff;
      default -> Double.NaN;
    };
  }

  /** Hands every row written since the last call to {@code sink}, in order; the reader's only. */
  int drain(RowSink sink) {
    long end = written;
    long start = read;
    for (long i = start; i < end; i++) {
      sink.row(values, (int) (i % capacity) * width);
    }
    read = end;
    return (int) (end - start);
  }

  /** Rows dropped because the ring was busy or full. */
  long dropped() {
    return dropped.sum();
  }

  /** Takes the values of one row, from {@code offset} in {@code values}. */
  interface RowSink {
    void row(double[] values, int offset);
  }
}
