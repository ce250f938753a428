package dev.modelops.e2e.operator;

import static dev.modelops.e2e.api.ModelDeployments.condition;
import static dev.modelops.e2e.api.ModelDeployments.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's JVM killed with SIGKILL (no shutdown hook, nothing flushed) at each point of a
 * canary rollout, each point held by the cluster itself (a quota, cordoned nodes, an admission
 * policy) so the kill lands there every time: each new operator goes on from where the last one
 * was, with the same revision numbers, one object of each kind per revision, and one Event per
 * decision.
 */
@Order(Schedule.FRONT_4)
class OperatorSigkillTest {

  static final Duration WAIT = Duration.ofSeconds(90);
  static final String NAME = "scorer";
  static final String NS = "default";
  static final int KILLED = 128 + 9;

  @TempDir Path temp;

  SandboxCluster cluster;
  KubernetesClient client;
  ModelDeployments mdeps;
  OperatorProcess operator;
  int started;

  @Test
  void anOperatorKilledAtEachPointOfARolloutResumesItWithNothingTwice() throws Exception {
    try (SandboxCluster sandbox = SandboxCluster.start("sigkill")) {
      cluster = sandbox;
      client = cluster.client();
      mdeps = new ModelDeployments(client);
      mdeps.installCrd();
      await("ModelDeployments can be listed")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> mdeps.api().list() != null);
      operator = startOperator();
      try {
        rollOut();
      } finally {
        operator.close();
      }
    }
  }

  private void rollOut() throws Exception {
    apply("1");
    ScriptRun available =
        cluster.kubectl("wait", "--for=condition=Available", "mdep/" + NAME, "--timeout=90s");
    assertThat(available.exitCode()).as(available.stderr()).isZero();

    // 1. Revision 2's ControllerRevision is made, its Deployment refused (a quota of one
    // Deployment): killed between the two.
    client.resourceQuotas().inNamespace(NS).resource(oneDeployment()).create();
    await("the quota counted")
        .atMost(WAIT)
        .until(
            () -> {
              var q = client.resourceQuotas().inNamespace(NS).withName("one-deployment").get();
              return q.getStatus() != null
                  && q.getStatus().getUsed() != null
                  && q.getStatus().getUsed().containsKey("count/deployments.apps");
            });
    apply("2");
    await("revision 2's ControllerRevision, and its Deployment refused")
        .atMost(WAIT)
        .until(
            () ->
                controllerRevisionNumbers().contains(2L)
                    && "ReconcileError".equals(condition(get(), "Degraded").get("reason")));
    assertThat(deployment(2)).isEmpty();
    setUnschedulable(true);
    kill();
    client.resourceQuotas().inNamespace(NS).withName("one-deployment").delete();
    operator = startOperator();

    // 2. The canary's Deployment made, its pod not ready (no node takes it).
    await("the canary's Deployment scaling up")
        .atMost(WAIT)
        .until(
            () ->
                deployment(2).map(d -> d.getSpec().getReplicas() == 1).orElse(false)
                    && "Stepping".equals(canary().get("phase"))
                    && !canary().containsKey("stepStartedAt"));
    Object startedAt = canary().get("startedAt");
    kill();
    operator = startOperator();
    setUnschedulable(false);

    // 3. Between the steps: step 2 of 2 is held for its duration.
    await("step 2 held")
        .atMost(WAIT)
        .until(
            () ->
                Integer.valueOf(1).equals(canary().get("step"))
                    && canary().containsKey("stepStartedAt"));
    Object stepStartedAt = canary().get("stepStartedAt");
    // The promotion's third canary pod will find no node.
    setUnschedulable(true);
    kill();
    operator = startOperator();

    // 4. Promoting: the canary is scaling to all 3 pods.
    await("promoting, the canary's last pod not ready")
        .atMost(WAIT)
        .until(
            () ->
                "Promoting".equals(canary().get("phase"))
                    && deployment(2).map(d -> d.getSpec().getReplicas() == 3).orElse(false));
    assertThat(canary())
        .as("the rollout went on where it was")
        .containsEntry("startedAt", startedAt)
        .containsEntry("stepStartedAt", stepStartedAt);
    kill();
    operator = startOperator();

    // 5. Stable switched in the cluster (revision 1's Deployment retired) but not yet in status:
    // an admission policy refuses a status that says stable revision 2.
    holdStableRevisionTwo(true);
    setUnschedulable(false);
    await("revision 1 retired, status refused")
        .atMost(WAIT)
        .until(
            () ->
                deployment(1).isEmpty()
                    && Integer.valueOf(1).equals(status(get()).get("stableRevision"))
                    && "ReconcileError".equals(condition(get(), "Degraded").get("reason")));
    kill();
    holdStableRevisionTwo(false);
    operator = startOperator();

    await("revision 2 stable, the rollout complete")
        .atMost(WAIT)
        .until(
            () ->
                Integer.valueOf(2).equals(status(get()).get("stableRevision"))
                    && "RolloutComplete".equals(condition(get(), "Progressing").get("reason"))
                    && "False".equals(condition(get(), "Degraded").get("status")));
    assertThat(revisions()).containsExactly("1:1", "2:2");
    assertThat(controllerRevisionNumbers()).containsExactly(1L, 2L);
    assertThat(owned(client.apps().deployments().inNamespace(NS).list().getItems()))
        .containsExactly(NAME + "-r2");
    assertThat(owned(client.services().inNamespace(NS).list().getItems())).containsExactly(NAME);
    await("one Event per decision")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Map<String, Long> events = events();
              // A SIGKILL can lose an Event (it is written after the status that holds its
              // decision: a kill between the two loses it; fresh-clone runs lost revision 2's
              // RevisionCreated, and CanaryPassed, decided before the kill while promoting), never
              // repeat one. Required: the one before the first kill and the one after the last.
              assertThat(events)
                  .containsKeys(
                      "RevisionCreated: created revision 1 for model version 1 (file:///models/m.onnx)",
                      "RolledOut: canary revision 2 is promoted and serves all traffic (was 1)");
              assertThat(events.keySet().stream().filter(e -> e.startsWith("CanaryPassed")))
                  .hasSizeLessThanOrEqualTo(1);
              assertThat(events.keySet().stream().filter(e -> e.startsWith("RolloutStarted")))
                  .hasSizeLessThanOrEqualTo(1);
              assertThat(events.keySet().stream().filter(e -> e.startsWith("CanaryStep")))
                  .hasSizeLessThanOrEqualTo(2);
              // Two errors made on purpose (the quota, the policy): at most two recoveries, and
              // at least one. The policy refuses status writes, so whether its ReconcileError was
              // ever recorded (and so recovered from) depends on timing: a fresh-clone run saw 1.
              assertThat(events.get("Recovered: recovered from ReconcileError")).isBetween(1L, 2L);
              assertThat(events)
                  .as("Events by reason and message")
                  .allSatisfy(
                      (event, count) -> {
                        if (!event.startsWith("Recovered")) {
                          assertThat(count).as(event).isOne();
                        }
                      });
            });
  }

  private OperatorProcess startOperator() {
    started++;
    return OperatorProcess.start(cluster, "operator-" + started);
  }

  /** SIGKILL: the JVM ends at once, by signal 9. */
  private void kill() {
    assertThat(operator.kill()).as("exit status of operator-%d", started).isEqualTo(KILLED);
  }

  private void apply(String version) {
    GenericKubernetesResource mdep =
        ModelDeployments.canaryRollout(
            NAME,
            version,
            3,
            List.of(
                Map.of("weight", 25, "duration", "5s"), Map.of("weight", 40, "duration", "20s")));
    mdeps.api().inNamespace(NS).resource(mdep).serverSideApply();
  }

  private GenericKubernetesResource get() {
    return mdeps.api().inNamespace(NS).withName(NAME).get();
  }

  private Map<String, Object> canary() {
    return ModelDeployments.canary(get());
  }

  @SuppressWarnings("unchecked")
  private List<String> revisions() {
    return ((List<Map<String, Object>>) status(get()).getOrDefault("revisions", List.of()))
        .stream().map(r -> r.get("number") + ":" + r.get("modelVersion")).toList();
  }

  private List<Long> controllerRevisionNumbers() {
    return OwnedObjects.controllerRevisionNumbers(client, NS, NAME);
  }

  private Optional<Deployment> deployment(int revision) {
    return Optional.ofNullable(
        client.apps().deployments().inNamespace(NS).withName(NAME + "-r" + revision).get());
  }

  /** The names of the objects that belong to the ModelDeployment, sorted. */
  private static List<String> owned(List<? extends HasMetadata> objects) {
    return objects.stream()
        .filter(
            o ->
                o.getMetadata().getOwnerReferences().stream()
                    .anyMatch(r -> "ModelDeployment".equals(r.getKind())))
        .map(o -> o.getMetadata().getName())
        .sorted()
        .toList();
  }

  private Map<String, Long> events() {
    return OwnedObjects.events(client, NS, NAME);
  }

  private static io.fabric8.kubernetes.api.model.ResourceQuota oneDeployment() {
    return new ResourceQuotaBuilder()
        .withNewMetadata()
        .withName("one-deployment")
        .endMetadata()
        .withNewSpec()
        .addToHard("count/deployments.apps", new io.fabric8.kubernetes.api.model.Quantity("1"))
        .endSpec()
        .build();
  }

  /**
   * Cordons or uncordons every node: a new pod stays Pending while they are cordoned. A merge patch
   * (no resourceVersion), since kwok and the node controller write nodes all the time.
   */
  private void setUnschedulable(boolean unschedulable) {
    String patch = "{\"spec\":{\"unschedulable\":" + (unschedulable ? "true" : "null") + "}}";
    client
        .nodes()
        .list()
        .getItems()
        .forEach(
            n ->
                client
                    .nodes()
                    .withName(n.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch));
  }

  /**
   * Puts or removes a ValidatingAdmissionPolicy that refuses a status saying stable revision 2, and
   * waits until the API server applies it (or no longer does), asking with a dry run.
   */
  private void holdStableRevisionTwo(boolean hold) throws Exception {
    Path policy = temp.resolve("hold.yaml");
    Files.writeString(
        policy,
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: hold-stable-revision-two}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules:
            - apiGroups: [modelops.dev]
              apiVersions: ["*"]
              operations: [UPDATE]
              resources: [modeldeployments/status]
          validations:
          - expression: "!has(object.status) || !has(object.status.stableRevision) || object.status.stableRevision != 2"
            message: the test holds stable revision 2 back
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: hold-stable-revision-two}
        spec:
          policyName: hold-stable-revision-two
          validationActions: [Deny]
        """);
    ScriptRun run =
        cluster.kubectl(hold ? "apply" : "delete", "-f", policy.toString(), "--wait=true");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    await(hold ? "the policy applied" : "the policy gone")
        .atMost(WAIT)
        .until(
            () -> {
              ScriptRun dryRun =
                  cluster.kubectl(
                      "patch",
                      "mdep/" + NAME,
                      "--subresource=status",
                      "--type=merge",
                      "--dry-run=server",
                      "-p",
                      "{\"status\":{\"stableRevision\":2}}");
              return (dryRun.exitCode() != 0) == hold;
            });
  }
}
