package dev.modelops.e2e.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Steady V2 inference requests to a Service, each on its own connection (Connection: close), so
 * kube-proxy balances every request over the Service's ready pods as it would for many clients.
 * Counts answers by HTTP status; a request that gets no answer counts as status 0.
 */
final class LoadGenerator implements AutoCloseable {

  static final String MLP_BODY =
      "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
          + "\"data\":[5.1,3.5,1.4,0.2]}]}";

  private final String host;
  private final int port;
  private final String path;
  private final Duration pause;
  private final Supplier<String> body;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
  private final Map<Integer, java.time.Instant> lastAt = new ConcurrentHashMap<>();
  private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> threads = new ArrayList<>();

  /**
   * @param url the forwarded Service, for example http://127.0.0.1:40123
   * @param model the model name on /v2/models/{name}/infer
   * @param clients concurrent clients
   * @param pause each client's pause between requests
   */
  LoadGenerator(String url, String model, int clients, Duration pause) {
    this(url, model, clients, pause, () -> MLP_BODY);
  }

  /**
   * @param body the request body, asked for before each request (the drift tests vary the inputs)
   */
  LoadGenerator(String url, String model, int clients, Duration pause, Supplier<String> body) {
    this.body = body;
    var uri = java.net.URI.create(url);
    this.host = uri.getHost();
    this.port = uri.getPort();
    this.path = "/v2/models/" + model + "/infer";
    this.pause = pause;
    for (int i = 0; i < clients; i++) {
      Thread t = Thread.ofVirtual().name("load-" + i).start(this::loop);
      threads.add(t);
    }
  }

  private void loop() {
    while (running.get()) {
      int status = request();
      byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
      lastAt.put(status, java.time.Instant.now());
      LockSupport.parkNanos(pause.toNanos());
    }
  }

  private int request() {
    byte[] body = this.body.get().getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                  + "Content-Length: %d\r\nConnection: close\r\n\r\n")
              .formatted(path, host, body.length)
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String answer = readAll(socket.getInputStream());
      int status = Integer.parseInt(answer.substring(9, 12));
      if (status != 200 && failures.size() < 20) {
        failures.add(answer.lines().reduce((a, b) -> b).orElse(""));
      }
      return status;
    } catch (IOException | RuntimeException e) {
      if (failures.size() < 20) {
        failures.add(e.toString());
      }
      return 0;
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    in.transferTo(bytes);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** Answers so far by HTTP status (0: no answer). */
  Map<Integer, Long> counts() {
    Map<Integer, Long> counts = new TreeMap<>();
    byStatus.forEach((status, n) -> counts.put(status, n.sum()));
    return counts;
  }

  long answered(int status) {
    return counts().getOrDefault(status, 0L);
  }

  /** When the last answer with this status came, if one did. */
  java.util.Optional<java.time.Instant> lastAnswered(int status) {
    return java.util.Optional.ofNullable(lastAt.get(status));
  }

  long notOk() {
    return counts().entrySet().stream()
        .filter(e -> e.getKey() != 200)
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  /** The first failed answers' last lines or the errors, for a failure's message. */
  List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() {
    running.set(false);
    for (Thread t : threads) {
      try {
        t.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
