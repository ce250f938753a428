package dev.modelops.runtime.drift;

import dev.modelops.runtime.inference.Datatype;
import dev.modelops.runtime.inference.Tensor;
import dev.modelops.runtime.inference.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * What drift recording costs, without HTTP: a request thread's hand-off (SampleRing.offer) per row
 * and per feature, with room in the ring so every row is copied; the windows' thread's cost per
 * value; and the cost of scoring all features once. Compiled into the runtime's package
 * by bench/drift.sh (it uses package-private classes), not a test.
 * usage: DriftCost FEATURES ROWS_PER_REQUEST SECONDS
 */
public final class DriftCost {

  public static void main(String[] args) throws Exception {
    int features = Integer.parseInt(args[0]);
    int rows = Integer.parseInt(args[1]);
    double seconds = Double.parseDouble(args[2]);
    Random random = new Random(1);
    List<BaselineFeature> baseline = new ArrayList<>();
    for (int f = 0; f < features; f++) {
      double[] values = random.doubles(20_000).map(v -> v * 2 - 1).toArray();
      baseline.add(BaselineBuilder.numeric("x" + f, values, 10));
    }
    RecordPlan plan =
        RecordPlan.of(
            new Baseline(baseline, Optional.empty()),
            List.of(new TensorSpec("input", Datatype.FP32, new long[] {-1, features})),
            List.of(new TensorSpec("probabilities", Datatype.FP32, new long[] {-1, 3})));
    ByteBuffer in = ByteBuffer.allocateDirect(rows * features * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows * features; i++) {
      in.putFloat(i * 4, (float) random.nextGaussian());
    }
    ByteBuffer out = ByteBuffer.allocate(rows * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
    Tensor input = Tensor.numeric("input", Datatype.FP32, new long[] {rows, features}, in);
    Tensor output = Tensor.numeric("probabilities", Datatype.FP32, new long[] {rows, 3}, out);

    SampleRing ring = new SampleRing(plan);
    FeatureWindow[] windows =
        plan.features().stream().map(f -> new FeatureWindow(f, 5000)).toArray(FeatureWindow[]::new);
    FeatureWindow outputs = new FeatureWindow(plan.outputBins().orElseThrow(), 5000);
    SampleRing.RowSink sink =
        (values, offset) -> {
          for (int f = 0; f < windows.length; f++) {
            windows[f].add(values[offset + f]);
          }
          outputs.add(values[offset + windows.length]);
        };
    // Batches of requests that fit in the ring: each batch's hand-offs are timed (every row is
    // copied, none dropped), then drained, timed apart, as the windows' thread would.
    int batch = Math.max(1, 200 / rows);
    long offerNanos = 0;
    long offers = 0;
    long drainNanos = 0;
    long drained = 0;
    long end = System.nanoTime() + (long) (seconds * 1e9);
    for (int warm = 0; warm < 2 || System.nanoTime() < end; warm++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < batch; i++) {
        ring.offer(input, output);
      }
      long t1 = System.nanoTime();
      int n = ring.drain(sink);
      long t2 = System.nanoTime();
      if (warm >= 2000) {
        offerNanos += t1 - t0;
        offers += batch;
        drainNanos += t2 - t1;
        drained += n;
      }
    }
    double perRequest = (double) offerNanos / offers;
    double recordedShare = (double) drained / (offers * rows);
    for (int i = 0; i < 200; i++) {
      for (FeatureWindow w : windows) {
        w.feature().scores(w.counts());
      }
    }
    long t = System.nanoTime();
    int scored = 0;
    for (int i = 0; i < 20; i++) {
      for (FeatureWindow w : windows) {
        scored += w.feature().scores(w.counts()).isPresent() ? 1 : 0;
      }
    }
    double scoreMicros = (System.nanoTime() - t) / 1e3 / 20;
    System.out.printf(
        "features %d, rows per request %d: hand-off %.0f ns per request, %.1f ns per row,"
            + " %.2f ns per row per feature; rows recorded %.1f%%; windows' thread %.1f ns per value;"
            + " scoring all features %.0f us (%d scored)%n",
        features,
        rows,
        perRequest,
        perRequest / rows,
        perRequest / rows / features,
        100 * recordedShare,
        (double) drainNanos / drained / (features + 1),
        scoreMicros,
        scored / 20);
  }
}
