package dev.modelops.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.URI;
import org.junit.jupiter.api.Test;

class RuntimePodsTest {

  static Pod pod(String ip, String ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .endMetadata()
        .withNewStatus()
        .withPodIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready)
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void aPodIsReachedByItsIpOnTheRuntimesPort() {
    assertThat(RuntimePods.uri(pod("10.244.0.7", "True"), 8080, "/q/metrics"))
        .contains(URI.create("http://10.244.0.7:8080/q/metrics"));
    assertThat(RuntimePods.uri(pod("fd00::7", "True"), 8080, "/q/health/ready"))
        .contains(URI.create("http://[fd00::7]:8080/q/health/ready"));
    assertThat(RuntimePods.uri(pod(null, "True"), 8080, "/q/metrics")).isEmpty();
    assertThat(RuntimePods.uri(pod(" ", "True"), 8080, "/q/metrics")).isEmpty();
  }

  @Test
  void readyMeansTheReadyConditionAndNotBeingDeleted() {
    assertThat(RuntimePods.ready(pod("10.244.0.7", "True"))).isTrue();
    assertThat(RuntimePods.ready(pod("10.244.0.7", "False"))).isFalse();
    Pod leaving = pod("10.244.0.7", "True");
    leaving.getMetadata().setDeletionTimestamp("2026-12-02T15:00:00Z");
    assertThat(RuntimePods.ready(leaving)).isFalse();
  }
}
