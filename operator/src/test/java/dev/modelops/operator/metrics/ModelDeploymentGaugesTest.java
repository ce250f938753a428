package dev.modelops.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.CanaryStatus;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.api.v1alpha1.ModelDeploymentStatus;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelDeploymentGaugesTest {

  static ModelDeployment mdep(String name, ModelDeploymentStatus status) {
    ModelDeployment m = new ModelDeployment();
    m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("ml").build());
    m.setStatus(status);
    return m;
  }

  @Test
  void gaugesFollowTheStatusAndForgetDeletedModelDeployments() {
    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.stableRevision = 3;
    status.replicas = 4;
    status.readyReplicas = 2;
    status.canary = new CanaryStatus();
    status.canary.weight = 10;
    status.conditions.add(new ConditionBuilder().withType("Available").withStatus("True").build());
    status.conditions.add(new ConditionBuilder().withType("Degraded").withStatus("False").build());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ModelDeploymentGauges gauges = new ModelDeploymentGauges(registry);
    try {
      gauges.show(List.of(mdep("fraud", status), mdep("new", null)));

      assertThat(value(registry, "modelops.modeldeployment.revision", "fraud")).isEqualTo(3);
      assertThat(value(registry, "modelops.modeldeployment.replicas", "fraud")).isEqualTo(4);
      assertThat(value(registry, "modelops.modeldeployment.ready.replicas", "fraud")).isEqualTo(2);
      assertThat(value(registry, "modelops.modeldeployment.canary.weight", "fraud")).isEqualTo(10);
      assertThat(value(registry, "modelops.modeldeployment.available", "fraud")).isEqualTo(1);
      assertThat(value(registry, "modelops.modeldeployment.degraded", "fraud")).isEqualTo(0);
      assertThat(value(registry, "modelops.modeldeployment.revision", "new"))
          .as("no status yet")
          .isEqualTo(0);

      gauges.show(List.of(mdep("new", null)));
      assertThat(
              registry
                  .find("modelops.modeldeployment.revision")
                  .tag("modeldeployment", "fraud")
                  .gauge())
          .as("a deleted ModelDeployment's series is gone")
          .isNull();
    } finally {
      gauges.stop();
    }
  }

  static double value(SimpleMeterRegistry registry, String name, String mdep) {
    return registry.get(name).tags("namespace", "ml", "modeldeployment", mdep).gauge().value();
  }
}
