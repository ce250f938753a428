package dev.modelops.e2e.operator;

import static dev.modelops.e2e.api.ModelDeployments.condition;
import static dev.modelops.e2e.api.ModelDeployments.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two or three operator replicas share one Lease, as the chart runs them with {@code replicas > 1}:
 * only the holder reconciles; a leader killed with SIGKILL in the middle of a canary rollout leaves
 * it to the follower, which finishes it with the same revision numbers and no Event twice; an API
 * server outage longer than the renew deadline ends the leader with a message that blames no other
 * pod, and the follower that outlived it leads once the API server is back.
 */
class LeaderElectionTest {

  static final Duration WAIT = Duration.ofSeconds(90);
  static final String NS = "default";
  static final String NAME = "ranker";
  static final String LEASE = "modelops-operator-lock";

  SandboxCluster cluster;
  KubernetesClient client;
  ModelDeployments mdeps;
  final List<OperatorProcess> replicas = new ArrayList<>();

  @Test
  void theFollowerFinishesAKilledLeadersRolloutAndAnOutageBlamesNoOtherPod() throws Exception {
    try (SandboxCluster sandbox = SandboxCluster.start("leaders")) {
      cluster = sandbox;
      client = cluster.client();
      mdeps = new ModelDeployments(client);
      mdeps.installCrd();
      await("ModelDeployments can be listed")
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> mdeps.api().list() != null);
      try {
        takeOverAfterSigkill();
        outlastAnOutage();
      } finally {
        replicas.forEach(OperatorProcess::close);
      }
    }
  }

  private void takeOverAfterSigkill() {
    OperatorProcess a = replica("operator-a");
    awaitHolder("operator-a");
    OperatorProcess b = replica("operator-b");
    apply("1");
    ScriptRun available =
        cluster.kubectl("wait", "--for=condition=Available", "mdep/" + NAME, "--timeout=90s");
    assertThat(available.exitCode()).as(available.stderr()).isZero();
    assertThat(IdleResyncTest.successes(a)).as("the leader's reconciles").isPositive();
    assertThat(IdleResyncTest.successes(b)).as("the follower's reconciles").isZero();

    apply("2");
    await("the canary of revision 2 stepping")
        .atMost(WAIT)
        .until(() -> "Stepping".equals(canary().get("phase")));
    assertThat(a.kill()).as("exit status of the killed leader").isEqualTo(128 + 9);
    awaitHolder("operator-b");
    await("revision 2 promoted by the new leader")
        .atMost(WAIT)
        .until(
            () ->
                Integer.valueOf(2).equals(status(get()).get("stableRevision"))
                    && "RolloutComplete".equals(condition(get(), "Progressing").get("reason")));
    assertThat(IdleResyncTest.successes(b)).as("the new leader's reconciles").isPositive();
    assertThat(controllerRevisionNumbers()).containsExactly(1L, 2L);
    assertThat(
            client.apps().deployments().inNamespace(NS).list().getItems().stream()
                .map(d -> d.getMetadata().getName()))
        .containsExactly(NAME + "-r2");
    await("the promotion's Event")
        .atMost(WAIT)
        .until(() -> events().keySet().stream().anyMatch(e -> e.startsWith("RolledOut: ")));
    assertThat(events())
        .as("Events by reason and message: a kill can lose one, never repeat one")
        .allSatisfy((event, count) -> assertThat(count).as(event).isOne());
  }

  private void outlastAnOutage() throws Exception {
    OperatorProcess b = replicas.get(1);
    OperatorProcess c = replica("operator-c");
    ApiServerProcess apiServer = ApiServerProcess.of(cluster);
    apiServer.kill();
    await("the leader exits when it cannot renew the Lease").atMost(WAIT).until(() -> !b.alive());
    assertThat(b.log())
        .contains("could not renew the leader Lease within its renew deadline")
        .doesNotContain("lost the leader Lease to");
    assertThat(c.alive()).as("the follower outlives the outage").isTrue();

    apiServer.restart();
    awaitHolder("operator-c");
    apply("3");
    await("revision 3 made by the follower that leads now")
        .atMost(Duration.ofMinutes(2))
        .ignoreExceptions()
        .until(() -> controllerRevisionNumbers().contains(3L));
    assertThat(controllerRevisionNumbers()).containsExactly(1L, 2L, 3L);
    assertThat(c.alive()).isTrue();
    assertThat(c.log()).doesNotContain("lost the leader Lease");
  }

  /** An operator replica with leader election, as the chart's Deployment configures one. */
  private OperatorProcess replica(String identity) {
    OperatorProcess replica =
        OperatorProcess.start(
            cluster,
            identity,
            cluster.kubeconfig(),
            Map.of(
                "MODELOPS_OPERATOR_LEADER_ELECTION_ENABLED", "true",
                "MODELOPS_OPERATOR_LEADER_ELECTION_LEASE_NAMESPACE", NS,
                "MODELOPS_OPERATOR_LEADER_ELECTION_IDENTITY", identity));
    replicas.add(replica);
    return replica;
  }

  private void awaitHolder(String identity) {
    await(identity + " holds the Lease")
        .atMost(WAIT)
        .ignoreExceptions()
        .until(
            () ->
                identity.equals(
                    client
                        .leases()
                        .inNamespace(NS)
                        .withName(LEASE)
                        .get()
                        .getSpec()
                        .getHolderIdentity()));
  }

  private void apply(String version) {
    GenericKubernetesResource mdep =
        ModelDeployments.canaryRollout(
            NAME,
            version,
            2,
            List.of(
                Map.of("weight", 25, "duration", "5s"), Map.of("weight", 50, "duration", "10s")));
    mdeps.api().inNamespace(NS).resource(mdep).serverSideApply();
  }

  private GenericKubernetesResource get() {
    return mdeps.api().inNamespace(NS).withName(NAME).get();
  }

  private Map<String, Object> canary() {
    return ModelDeployments.canary(get());
  }

  private List<Long> controllerRevisionNumbers() {
    return OwnedObjects.controllerRevisionNumbers(client, NS, NAME);
  }

  private Map<String, Long> events() {
    return OwnedObjects.events(client, NS, NAME);
  }
}
