import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the server's CPU went, by phase of a request: reads a flight recording of CPU-time samples
 * (jdk.CPUTimeSample: a thread's state each time it has used a period of CPU, in Java or native
 * code) and puts each sample in the phase of the frame nearest its leaf that names one (RULES, in
 * order). Prints a Markdown table: samples, share, and microseconds of CPU per request. The
 * kernel checks CPU-time timers only at its clock tick (4 ms at 250 Hz), so the samples are
 * fewer than the period asks for; what one sample is worth is measured instead: the event loop
 * thread's CPU in the run (LOOP_CPU_MS, from /proc) over its samples. Threads the JVM does not
 * run Java on (GC, JIT) are not sampled.
 *
 * <p>Each METHOD given (a prefix of class.method) gets a line more: the samples with it anywhere on
 * their stack, what it costs with all it calls.
 *
 * java Phases.java RECORDING.jfr REQUESTS LOOP_CPU_MS [METHOD...]
 */
public class Phases {
  /** Method-name prefix (class.method) and the phase it stands for; the first match wins. */
  static final List<String[]> RULES =
      List.of(
          new String[] {"dev.modelops.runtime.metrics.", "metrics (per-request meters)"},
          new String[] {"dev.modelops.runtime.drift.", "drift and prediction recording"},
          new String[] {"dev.modelops.runtime.protocol.InferResponseWriter.", "encode"},
          new String[] {"dev.modelops.runtime.protocol.InferRequestReader.", "decode"},
          new String[] {"dev.modelops.runtime.protocol.TensorDataReader.", "decode"},
          new String[] {"dev.modelops.runtime.protocol.BinaryStrings.", "decode"},
          new String[] {"ai.onnxruntime.OrtSession.run", "run: OrtSession.run (ONNX Runtime)"},
          new String[] {"dev.modelops.runtime.inference.ModelSession.", "run: tensors in and out"},
          new String[] {"ai.onnxruntime.", "run: tensors in and out"},
          new String[] {"dev.modelops.runtime.inference.Inferencer.", "validate"},
          new String[] {"dev.modelops.runtime.protocol.InferRoute$Body.", "read body: chunks, join"},
          new String[] {"dev.modelops.runtime.protocol.", "route (InferRoute's own)"},
          new String[] {"io.vertx.core.http.impl.Http1xServerResponse.", "write: response"},
          new String[] {"sun.nio.ch.SocketDispatcher.write", "write: socket (kernel)"},
          new String[] {"sun.nio.ch.IOUtil.write", "write: socket (kernel)"},
          new String[] {"io.netty.channel.ChannelOutboundBuffer.", "write: response"},
          new String[] {"io.netty.handler.codec.http.HttpObjectEncoder.", "write: response"},
          new String[] {"sun.nio.ch.SocketDispatcher.read", "read body: socket (kernel)"},
          new String[] {"sun.nio.ch.IOUtil.read", "read body: socket (kernel)"},
          new String[] {"io.netty.handler.codec.http.HttpObjectDecoder.", "read body: HTTP parse"},
          new String[] {"sun.nio.ch.", "event loop: select"},
          new String[] {"io.netty.channel.nio.NioEventLoop.select", "event loop: select"},
          new String[] {"io.vertx.ext.web.", "routing (Vert.x Web)"},
          new String[] {"io.vertx.", "Vert.x, other"},
          new String[] {"io.netty.", "Netty, other"});

  public static void main(String[] a) throws Exception {
    long requests = Long.parseLong(a[1]);
    double loopCpuUs = Double.parseDouble(a[2]) * 1000;
    long loopSamples = 0;
    Map<String, Long> phases = new LinkedHashMap<>();
    long total = 0;
    long lost = 0;
    List<String> methods = List.of(a).subList(3, a.length);
    long[] inclusive = new long[methods.size()];
    for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
      String type = e.getEventType().getName();
      if (type.equals("jdk.CPUTimeSamplesLost")) {
        lost += e.getInt("lostSamples");
        continue;
      }
      if (!type.equals("jdk.CPUTimeSample")) {
        continue;
      }
      total++;
      String thread = e.getThread("eventThread") == null ? "" : e.getThread("eventThread").getJavaName();
      String phase = phase(e) + (thread.startsWith("vert.x-eventloop") ? "" : " [" + kind(thread) + "]");
      for (int i = 0; i < methods.size(); i++) {
        inclusive[i] += onStack(e, methods.get(i)) ? 1 : 0;
      }
      loopSamples += thread.startsWith("vert.x-eventloop") ? 1 : 0;
      phases.merge(phase, 1L, Long::sum);
    }
    double periodUs = loopCpuUs / Math.max(1, loopSamples);
    System.out.printf(
        "samples %d (lost %d, on the event loop %d), %d requests, %.0f us of CPU per sample%n",
        total, lost, loopSamples, requests, periodUs);
    System.out.println("| phase | samples | share | CPU per request |");
    System.out.println("| --- | ---: | ---: | ---: |");
    long all = total;
    phases.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            p ->
                System.out.printf(
                    "| %s | %d | %.1f%% | %.2f us |%n",
                    p.getKey(), p.getValue(), 100.0 * p.getValue() / all, p.getValue() * periodUs / requests));
    System.out.printf("| all sampled | %d | 100%% | %.2f us |%n", total, total * periodUs / requests);
    for (int i = 0; i < methods.size(); i++) {
      System.out.printf(
          "| with %s on the stack | %d | %.1f%% | %.2f us |%n",
          methods.get(i), inclusive[i], 100.0 * inclusive[i] / all, inclusive[i] * periodUs / requests);
    }
  }

  static boolean onStack(RecordedEvent e, String method) {
    return e.getStackTrace() != null
        && e.getStackTrace().getFrames().stream()
            .anyMatch(f -> (f.getMethod().getType().getName() + "." + f.getMethod().getName()).startsWith(method));
  }

  static String phase(RecordedEvent e) {
    if (e.getStackTrace() == null) {
      return "no stack";
    }
    for (RecordedFrame f : e.getStackTrace().getFrames()) {
      String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
      for (String[] rule : RULES) {
        if (m.startsWith(rule[0])) {
          return rule[1];
        }
      }
    }
    return "other";
  }

  /** A thread's name without its number: the kind of thread it is. */
  static String kind(String thread) {
    return thread.replaceAll("[-#]?\\d+$", "");
  }
}
