import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limit: ONNX Runtime Java in process, the same model and session options as the server
 * (intra-op threads 1), CONCURRENCY threads running batch-1 inputs for SECONDS.
 * Prints runs/s, p50 and p99 latency in microseconds.
 *
 * java -cp onnxruntime.jar RawOrt.java MODEL INPUT SHAPE(comma) CONCURRENCY SECONDS
 */
public class RawOrt {
  public static void main(String[] a) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setIntraOpNumThreads(1);
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    OrtSession session = env.createSession(a[0], options);
    String input = a[1];
    long[] shape = Arrays.stream(a[2].split(",")).mapToLong(Long::parseLong).toArray();
    int concurrency = Integer.parseInt(a[3]);
    int seconds = Integer.parseInt(a[4]);
    int n = (int) Arrays.stream(shape).reduce(1, (x, y) -> x * y);
    long[] latencies = new long[1 << 22];
    AtomicLong count = new AtomicLong();
    for (int round = 0; round < 2; round++) {
      count.set(0);
      long end = System.nanoTime() + (round == 0 ? 1 : seconds) * 1_000_000_000L;
      CountDownLatch done = new CountDownLatch(concurrency);
      long start = System.nanoTime();
      for (int t = 0; t < concurrency; t++) {
        Thread.ofPlatform().start(() -> {
          try {
            Random random = new Random(1);
            FloatBuffer data = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < n; i++) data.put(i, random.nextFloat());
            while (System.nanoTime() < end) {
              long s = System.nanoTime();
              try (OnnxTensor tensor = OnnxTensor.createTensor(env, data, shape);
                  OrtSession.Result r = session.run(Map.of(input, tensor))) {
                r.get(0);
              }
              long i = count.getAndIncrement();
              if (i < latencies.length) latencies[(int) i] = System.nanoTime() - s;
            }
          } catch (Exception e) {
            throw new RuntimeException(e);
          } finally {
            done.countDown();
          }
        });
      }
      done.await();
      if (round == 1) {
        long elapsed = System.nanoTime() - start;
        int c = (int) Math.min(count.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, c);
        Arrays.sort(sorted);
        System.out.printf("%.0f %d %d 0%n", count.get() / (elapsed / 1e9), sorted[c / 2] / 1000, sorted[(int) (c * 0.99)] / 1000);
      }
    }
  }
}
