package dev.modelops.e2e.api;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.TestInfo;

/** A namespace of its own for each test, named after the test method, deleted with its pods. */
public final class TestNamespaces {

  private static final AtomicInteger CREATED = new AtomicInteger();

  private TestNamespaces() {}

  /** Creates the namespace of this test: its method's name in kebab case and a counter. */
  public static String create(KubernetesClient client, TestInfo test) {
    String ns =
        test.getTestMethod().orElseThrow().getName().replaceAll("([A-Z])", "-$1").toLowerCase();
    ns = ns.substring(0, Math.min(ns.length(), 50)) + "-" + CREATED.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    return ns;
  }

  /**
   * Deletes the namespace and waits until its pods are gone (and their GPUs free). The pods go at
   * once, without their pre-stop pause and drain: the test is over, and a graceful stop of each pod
   * would add its seconds to every test. The tests that look at a graceful stop do it themselves.
   */
  public static void delete(KubernetesClient client, String ns, Duration wait) {
    client.pods().inNamespace(ns).withGracePeriod(0).delete();
    client.namespaces().withName(ns).delete();
    await().atMost(wait).until(() -> client.pods().inNamespace(ns).list().getItems().isEmpty());
  }
}
