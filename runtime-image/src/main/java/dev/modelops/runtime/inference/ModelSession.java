package dev.modelops.runtime.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One ONNX Runtime session for one model: its metadata in V2 terms, and a run that takes and gives
 * {@link Tensor}s. Every OnnxTensor and Result it makes is closed before it returns.
 */
public final class ModelSession {

  private final OrtEnvironment env;
  private final OrtSession session;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final boolean sharesBatchDimension;

  /**
   * Runs hold it shared, closing holds it alone: ONNX Runtime aborts the process (a failed native
   * assertion) when a session is closed under a run.
   */
  private final ReentrantReadWriteLock use = new ReentrantReadWriteLock();

  private volatile boolean closing;

  public ModelSession(OrtEnvironment env, OrtSession session) throws OrtException {
    this.env = env;
    this.session = session;
    this.inputs = specs(session.getInputInfo());
    this.outputs = specs(session.getOutputInfo());
    this.sharesBatchDimension = sharesBatchDimension(inputs, outputs);
  }

  public List<TensorSpec> inputs() {
    return inputs;
  }

  public List<TensorSpec> outputs() {
    return outputs;
  }

  /** Whether requests can be merged along the first dimension; decided once, when loaded. */
  public boolean sharesBatchDimension() {
    return sharesBatchDimension;
  }

  /**
   * Whether requests to a model can be merged along the first dimension: every input and output has
   * a free first dimension, and those the model names all have the same name (unnamed ones match
   * any), so they are one batch dimension and not, say, a list of items and a list of indices into
   * it.
   */
  static boolean sharesBatchDimension(List<TensorSpec> inputs, List<TensorSpec> outputs) {
    List<TensorSpec> all = new ArrayList<>(inputs);
    all.addAll(outputs);
    return all.stream().allMatch(TensorSpec::hasBatchDimension)
        && all.stream().map(TensorSpec::firstDimName).filter(n -> !n.isEmpty()).distinct().count()
            <= 1;
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> infos) throws OrtException {
    List<TensorSpec> specs = new ArrayList<>();
    for (NodeInfo node : infos.values()) {
      if (!(node.getInfo() instanceof TensorInfo info)) {
        throw new OrtException(
            "input or output " + node.getName() + " is not a tensor: " + node.getInfo());
      }
      Datatype type =
          Datatype.of(info.type)
              .orElseThrow(
                  () ->
                      new OrtException(
                          "tensor "
                              + node.getName()
                              + " has a type this server cannot serve: "
                              + info.onnxType));
      String[] dimNames = info.getDimensionNames();
      String first = dimNames.length > 0 && dimNames[0] != null ? dimNames[0] : "";
      specs.add(new TensorSpec(node.getName(), type, info.getShape(), first));
    }
    return List.copyOf(specs);
  }

  /**
   * Runs the model; the caller has checked names, types and shapes against the metadata. Once the
   * session is closing, a run is refused with a 503.
   */
  public Map<String, Tensor> run(Map<String, Tensor> feed, Set<String> wanted) throws OrtException {
    use.readLock().lock();
    try {
      if (closing) {
        throw new InferenceException(503, "not_ready", "the server is shutting down");
      }
      return runNow(feed, wanted);
    } finally {
      use.readLock().unlock();
    }
  }

  private Map<String, Tensor> runNow(Map<String, Tensor> feed, Set<String> wanted)
      throws OrtException {
    Map<String, OnnxTensor> onnx = new LinkedHashMap<>();
    try {
      for (Tensor t : feed.values()) {
        onnx.put(t.name(), toOnnx(t));
      }
      try (OrtSession.Result result = session.run(onnx, wanted)) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          out.put(e.getKey(), fromOnnx(e.getKey(), (OnnxTensor) e.getValue()));
        }
        return out;
      }
    } finally {
      onnx.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor toOnnx(Tensor t) throws OrtException {
    if (t.datatype() == Datatype.BYTES) {
      String[] strings = new String[t.strings().length];
      for (int i = 0; i < strings.length; i++) {
        strings[i] = new String(t.strings()[i], StandardCharsets.UTF_8);
      }
      return OnnxTensor.createTensor(env, strings, t.shape());
    }
    ByteBuffer data = t.data();
    if (!data.isDirect()) {
      // ONNX Runtime copies heap buffers anyway; a direct one is read in place.
      ByteBuffer direct =
          ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
      direct.put(data.duplicate()).flip();
      data = direct;
    }
    data = data.order(ByteOrder.nativeOrder());
    return switch (t.datatype()) {
      case FP32 -> OnnxTensor.createTensor(env, data.asFloatBuffer(), t.shape());
      case FP64 -> OnnxTensor.createTensor(env, data.asDoubleBuffer(), t.shape());
      case INT64 -> OnnxTensor.createTensor(env, data.asLongBuffer(), t.shape());
      case INT32 -> OnnxTensor.createTensor(env, data.asIntBuffer(), t.shape());
      case INT16 ->
          OnnxTensor.createTensor(env, data.asShortBuffer(), t.shape(), OnnxJavaType.INT16);
      case FP16 ->
          OnnxTensor.createTensor(env, data.asShortBuffer(), t.shape(), OnnxJavaType.FLOAT16);
      case INT8, UINT8, BOOL -> OnnxTensor.createTensor(env, data, t.shape(), t.datatype().ort);
      default ->
          throw InferenceException.badRequest(
              "datatype " + t.datatype() + " is not supported by ONNX Runtime Java");
    };
  }

  private static Tensor fromOnnx(String name, OnnxTensor tensor) throws OrtException {
    TensorInfo info = tensor.getInfo();
    Datatype type =
        Datatype.of(info.type)
            .orElseThrow(
                () ->
                    new OrtException(
                        "output " + name + " has an unsupported type " + info.onnxType));
    if (type == Datatype.BYTES) {
      String[] flat = (String[]) flatten(tensor.getValue(), info);
      byte[][] bytes = new byte[flat.length][];
      for (int i = 0; i < flat.length; i++) {
        bytes[i] = flat[i].getBytes(StandardCharsets.UTF_8);
      }
      return Tensor.bytes(name, info.getShape(), bytes);
    }
    ByteBuffer native_ = tensor.getByteBuffer();
    ByteBuffer copy = ByteBuffer.allocate(native_.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    if (native_.order() == ByteOrder.LITTLE_ENDIAN || type.size == 1) {
      copy.put(native_);
    } else {
      throw new OrtException("big-endian platforms are not supported");
    }
    copy.flip();
    return Tensor.numeric(name, type, info.getShape(), copy);
  }

  private static Object flatten(Object value, TensorInfo info) {
    List<String> out = new ArrayList<>();
    collect(value, out);
    return out.toArray(new String[0]);
  }

  private static void collect(Object value, List<String> out) {
    if (value instanceof String s) {
      out.add(s);
    } else if (value instanceof Object[] array) {
      for (Object o : array) {
        collect(o, out);
      }
    }
  }

  /**
   * Refuses new runs, waits at most {@code longest} for those going on to end, then closes the
   * session; false when a run was still going, and the session is left to the end of the process.
   */
  public boolean close(Duration longest) throws OrtException, InterruptedException {
    closing = true;
    if (!use.writeLock().tryLock(longest.toNanos(), TimeUnit.NANOSECONDS)) {
      return false;
    }
    try {
      session.close();
      return true;
    } finally {
      use.writeLock().unlock();
    }
  }

  /** Runs going on now. */
  int runs() {
    return use.getReadLockCount();
  }
}
