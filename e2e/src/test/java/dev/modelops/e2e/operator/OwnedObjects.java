package dev.modelops.e2e.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What the operator tests read of a ModelDeployment's own objects: its revisions and Events. */
final class OwnedObjects {

  private OwnedObjects() {}

  /** The numbers of the ModelDeployment's ControllerRevisions, sorted. */
  static List<Long> controllerRevisionNumbers(KubernetesClient client, String ns, String name) {
    return client
        .apps()
        .controllerRevisions()
        .inNamespace(ns)
        .withLabel("modelops.dev/deployment", name)
        .list()
        .getItems()
        .stream()
        .map(cr -> cr.getRevision())
        .sorted()
        .toList();
  }

  /** The Events whose involved object is the ModelDeployment. */
  static List<Event> eventsOf(KubernetesClient client, String ns, String name) {
    return client
        .v1()
        .events()
        .inNamespace(ns)
        .withField("involvedObject.name", name)
        .list()
        .getItems()
        .stream()
        .filter(e -> "ModelDeployment".equals(e.getInvolvedObject().getKind()))
        .toList();
  }

  /** The ModelDeployment's Events, counted by "reason: message". */
  static Map<String, Long> events(KubernetesClient client, String ns, String name) {
    return eventsOf(client, ns, name).stream()
        .collect(
            Collectors.groupingBy(
                (Function<Event, String>) e -> e.getReason() + ": " + e.getMessage(),
                Collectors.counting()));
  }
}
