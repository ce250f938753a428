package dev.modelops.e2e.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The full sandbox behaves like a GPU cluster: the real scheduler places GPU pods on GPU nodes
 * only, reports exhaustion, kwok makes pods Ready and Jobs complete, and the garbage collector
 * follows owner references.
 */
class ClusterBehaviourTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static SandboxCluster cluster;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = SandboxCluster.start("cluster");
    client = cluster.client();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static PodSpec gpuPodSpec() {
    return new PodSpecBuilder()
        .addNewContainer()
        .withName("server")
        .withImage("example.invalid/runtime:test")
        .withNewResources()
        .withLimits(Map.of("nvidia.com/gpu", new Quantity("1")))
        .endResources()
        .endContainer()
        .addNewToleration()
        .withKey("nvidia.com/gpu")
        .withOperator("Exists")
        .withEffect("NoSchedule")
        .endToleration()
        .build();
  }

  @Test
  void nodesAdvertiseGpusWithTheirProductAndTaint() {
    List<Node> nodes = client.nodes().list().getItems();
    assertThat(nodes)
        .extracting(n -> n.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "sandbox-cpu-1", "sandbox-cpu-2", "sandbox-gpu-1", "sandbox-gpu-2");
    Node gpu = client.nodes().withName("sandbox-gpu-1").get();
    assertThat(gpu.getStatus().getAllocatable()).containsEntry("nvidia.com/gpu", new Quantity("2"));
    assertThat(gpu.getMetadata().getLabels())
        .containsEntry("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3");
    assertThat(gpu.getSpec().getTaints())
        .anySatisfy(
            t -> {
              assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    assertThat(cluster.kubectl("version", "-o", "json").stdout())
        .contains("\"gitVersion\": \"" + SandboxVersions.get("KUBERNETES_VERSION") + "\"");
  }

  @Test
  void gpuPodsRunOnGpuNodesOnlyAndTheRestWaitForGpus() {
    String ns = "gpu-sched";
    client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .endMetadata()
                .build())
        .create();
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("gpu-app")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .withNewSelector()
            .withMatchLabels(Map.of("app", "gpu-app"))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(Map.of("app", "gpu-app"))
            .endMetadata()
            .withSpec(gpuPodSpec())
            .endTemplate()
            .endSpec()
            .build();
    client.resource(deployment).create();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<Pod> pods =
                  client.pods().inNamespace(ns).withLabel("app", "gpu-app").list().getItems();
              assertThat(pods)
                  .hasSize(3)
                  .allSatisfy(
                      p -> {
                        assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                        assertThat(p.getSpec().getNodeName()).startsWith("sandbox-gpu-");
                        assertThat(p.getStatus().getConditions())
                            .anySatisfy(
                                c ->
                                    assertThat(c.getType() + "=" + c.getStatus())
                                        .isEqualTo("Ready=True"));
                      });
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .apps()
                            .deployments()
                            .inNamespace(ns)
                            .withName("gpu-app")
                            .get()
                            .getStatus()
                            .getReadyReplicas())
                    .isEqualTo(3));

    // Four GPUs in all: one more pod fits, the fifth and sixth do not.
    for (String name : List.of("extra-1", "extra-2", "extra-3")) {
      client
          .pods()
          .inNamespace(ns)
          .resource(
              new io.fabric8.kubernetes.api.model.PodBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withLabels(Map.of("app", "extra"))
                  .endMetadata()
                  .withSpec(gpuPodSpec())
                  .build())
          .create();
    }
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<Pod> extra =
                  client.pods().inNamespace(ns).withLabel("app", "extra").list().getItems();
              assertThat(extra)
                  .filteredOn(p -> "Running".equals(p.getStatus().getPhase()))
                  .hasSize(1);
              assertThat(extra)
                  .filteredOn(p -> "Pending".equals(p.getStatus().getPhase()))
                  .hasSize(2);
            });
    List<Pod> pending =
        client.pods().inNamespace(ns).withLabel("app", "extra").list().getItems().stream()
            .filter(p -> "Pending".equals(p.getStatus().getPhase()))
            .toList();
    for (Pod pod : pending) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                List<Event> events =
                    client
                        .v1()
                        .events()
                        .inNamespace(ns)
                        .withField("involvedObject.name", pod.getMetadata().getName())
                        .list()
                        .getItems();
                assertThat(events)
                    .anySatisfy(
                        e -> {
                          assertThat(e.getReason()).isEqualTo("FailedScheduling");
                          assertThat(e.getMessage()).contains("Insufficient nvidia.com/gpu");
                        });
              });
    }
    assertThat(client.pods().inNamespace(ns).list().getItems())
        .filteredOn(p -> p.getSpec().getNodeName() != null)
        .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).startsWith("sandbox-gpu-"));
  }

  @Test
  void jobPodsComplete() {
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName("finishes")
            .withNamespace("default")
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .withRestartPolicy("Never")
            .addNewContainer()
            .withName("work")
            .withImage("example.invalid/job:test")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client.resource(job).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Job current =
                  client.batch().v1().jobs().inNamespace("default").withName("finishes").get();
              assertThat(current.getStatus().getSucceeded()).isEqualTo(1);
            });
  }

  @Test
  void garbageCollectorDeletesChildrenOfADeletedOwner() {
    ConfigMap owner =
        client
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName("owner")
                    .withNamespace("default")
                    .endMetadata()
                    .build())
            .create();
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("child")
                .withNamespace("default")
                .addNewOwnerReference()
                .withApiVersion("v1")
                .withKind("ConfigMap")
                .withName("owner")
                .withUid(owner.getMetadata().getUid())
                .endOwnerReference()
                .endMetadata()
                .build())
        .create();
    client.configMaps().inNamespace("default").withName("owner").delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.configMaps().inNamespace("default").withName("child").get())
                    .isNull());
  }
}
