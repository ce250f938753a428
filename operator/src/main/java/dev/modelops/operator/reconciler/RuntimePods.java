package dev.modelops.operator.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.URI;
import java.util.Optional;

/** A runtime pod as the operator reaches it: by its IP, on the runtime's port, once it is ready. */
final class RuntimePods {

  private RuntimePods() {}

  /** {@code http://<pod IP>:<port><path>} (an IPv6 address in brackets); empty without an IP. */
  static Optional<URI> uri(Pod pod, int port, String path) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null || ip.isBlank()) {
      return Optional.empty();
    }
    String host = ip.contains(":") ? "[" + ip + "]" : ip;
    return Optional.of(URI.create("http://%s:%d%s".formatted(host, port, path)));
  }

  /** Ready, and not being deleted. */
  static boolean ready(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
