package dev.modelops.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.SubmissionPublisher;

/**
 * What the tests of the packaged runtime, started as a process of its own, share: a free loopback
 * port, a GET's status, the server's log for a failure's message, a body sent in two halves.
 */
public final class LocalServer {

  private LocalServer() {}

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static URI url(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** The status of a GET, or -1 when nothing answers. */
  static int status(HttpClient client, URI url) {
    try {
      HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build();
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The server's log, to append to a failed assertion's message. */
  static String log(Path log) {
    try {
      return "%nserver log (%s):%n%s".formatted(log, Files.readString(log));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request body sent in two halves, the second once {@code rest} completes. */
  public static HttpRequest.BodyPublisher inTwoHalves(byte[] body, CompletableFuture<Void> rest) {
    int half = body.length / 2;
    return HttpRequest.BodyPublishers.fromPublisher(
        subscriber -> {
          // A SubmissionPublisher drops what is submitted before a subscriber is there.
          SubmissionPublisher<ByteBuffer> halves = new SubmissionPublisher<>();
          halves.subscribe(subscriber);
          halves.submit(ByteBuffer.wrap(body, 0, half));
          rest.thenRun(
              () -> {
                halves.submit(ByteBuffer.wrap(body, half, body.length - half));
                halves.close();
              });
        },
        body.length);
  }
}
