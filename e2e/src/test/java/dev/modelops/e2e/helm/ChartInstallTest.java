package dev.modelops.e2e.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.operator.OperatorProcess;
import dev.modelops.e2e.operator.ServiceAccountKubeconfig;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The chart installed on the sandbox: the operator, run with the chart's ServiceAccount token,
 * serves a ModelDeployment through to Available with only the chart's RBAC; upgrade and uninstall
 * leave nothing behind but the CRD.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Order(Schedule.BACK_5)
class ChartInstallTest {

  static final String NS = "modelops-system";
  static final String RELEASE = "modelops-operator";
  static final String OPERATOR_USER = "system:serviceaccount:" + NS + ":" + RELEASE;

  static SandboxCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = SandboxCluster.start("helm");
    client = cluster.client();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static ScriptRun helm(String... args) {
    return Helm.run(cluster.kubeconfig(), args);
  }

  static void install(String... sets) {
    ScriptRun run = Helm.install(cluster.kubeconfig(), "90s", sets);
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
  }

  @Test
  @Order(1)
  void operatorWithTheChartsRbacServesAModelDeployment() throws Exception {
    install();
    ScriptRun status = cluster.kubectl("-n", NS, "rollout", "status", "deployment/" + RELEASE);
    assertThat(status.exitCode()).as(status.stderr()).isZero();
    assertThat(crdInstalled()).as("the chart installs the CRD").isTrue();

    try (OperatorProcess operator =
        asChartServiceAccount(
            "operator-as-chart-sa", Map.of("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true"))) {
      apply("examples/cpu-model.yaml");
      waitAvailable("iris");
      assertThat(cluster.kubectl("scale", "mdep/iris", "--replicas=3").exitCode()).isZero();
      ScriptRun patch =
          cluster.kubectl(
              "patch",
              "mdep/iris",
              "--type=merge",
              "-p",
              "{\"spec\":{\"model\":{\"version\":\"2\",\"uri\":\"file:///models/iris-v2.onnx\"}}}");
      assertThat(patch.exitCode()).as(patch.stderr()).isZero();
      await("revision 2 serves with 3 pods")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  operator
                      .metrics()
                      .contains(
                          "modelops_modeldeployment_revision{modeldeployment=\"iris\",namespace=\"default\"} 2.0"));
      waitAvailable("iris");
      assertThat(operator.metrics())
          .contains(
              "modelops_modeldeployment_ready_replicas{modeldeployment=\"iris\",namespace=\"default\"} 3.0")
          .contains("operator_sdk_reconciliations_success_total");

      assertThat(operator.get("/q/health/ready"))
          .as("readiness reflects the controller's informers")
          .contains("\"status\": \"UP\"")
          .contains("\"modeldeployment\": \"OK\"");
      assertThat(operator.log())
          .as("no call of the operator was refused by RBAC")
          .doesNotContainIgnoringCase("forbidden");
      JsonNode decision = decisionLine(operator.log(), "RevisionCreated");
      assertThat(decision.get("level").asText()).isEqualTo("INFO");
      assertThat(decision.get("mdc").get("resource.name").asText()).isEqualTo("iris");
      assertThat(decision.get("mdc").get("resource.namespace").asText()).isEqualTo("default");
      assertThat(decision.get("mdc").get("modelops.revision")).isNotNull();
    }
  }

  @Test
  @Order(2)
  void verbsTheOperatorDoesNotNeedAreDenied() {
    for (List<String> allowed :
        List.of(
            List.of("patch", "deployments.apps"),
            List.of("patch", "modeldeployments.modelops.dev/status"),
            // Removing a modelops.dev/promote or rollback-to annotation once acted on.
            List.of("patch", "modeldeployments.modelops.dev"),
            List.of("watch", "pods"),
            // Retraining Jobs.
            List.of("create", "jobs.batch"),
            List.of("watch", "jobs.batch"),
            List.of("create", "events"))) {
      assertThat(canI(allowed.get(0), allowed.get(1))).as("can %s", allowed).isEqualTo("yes");
    }
    for (List<String> denied :
        List.of(
            List.of("get", "secrets"),
            List.of("list", "configmaps"),
            List.of("update", "deployments.apps"),
            List.of("delete", "pods"),
            List.of("update", "jobs.batch"),
            List.of("delete", "jobs.batch"),
            List.of("create", "cronjobs.batch"),
            List.of("create", "modeldeployments.modelops.dev"),
            List.of("delete", "modeldeployments.modelops.dev"),
            List.of("create", "leases.coordination.k8s.io"),
            List.of("patch", "nodes"))) {
      assertThat(canI(denied.get(0), denied.get(1))).as("can %s", denied).isEqualTo("no");
    }
  }

  @Test
  @Order(3)
  void upgradeChangesTheOperatorsSettings() {
    install("operator.logLevel=DEBUG", "replicas=2");
    var deployment = client.apps().deployments().inNamespace(NS).withName(RELEASE).get();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("QUARKUS_LOG_CATEGORY__DEV_MODELOPS__LEVEL");
              assertThat(e.getValue()).isEqualTo("DEBUG");
            });
    assertThat(canI("update", "leases.coordination.k8s.io", NS))
        .as("leader election with two pods")
        .isEqualTo("yes");
    ScriptRun history = helm("history", RELEASE, "--namespace", NS);
    assertThat(history.stdout()).contains("deployed").contains("superseded");

    // Leader election as the chart configures it, with the chart's RBAC: the operator takes the
    // Lease in its own namespace, gives it up when stopped, and exits when another pod takes it.
    try (OperatorProcess operator = leader("operator-pod-0")) {
      awaitLeaseHolder("operator-pod-0");
      assertThat(operator.terminate())
          .as("stopped with SIGTERM while leading, the operator exits within the grace period")
          .isTrue();
      assertThat(operator.log()).doesNotContainIgnoringCase("forbidden");
    }
    try (OperatorProcess operator = leader("operator-pod-1")) {
      awaitLeaseHolder("operator-pod-1");
      // Another pod takes the Lease. A merge patch carries no resourceVersion: edit() did, and
      // failed with a 409 whenever the operator renewed the Lease between its read and its write.
      client
          .leases()
          .inNamespace(NS)
          .withName("modelops-operator-lock")
          .patch(
              io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                  io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
              "{\"spec\":{\"holderIdentity\":\"operator-pod-2\",\"renewTime\":\"%s\"}}"
                  .formatted(
                      java.time.format.DateTimeFormatter.ofPattern(
                              "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
                          .format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC))));
      await("the operator exits when another pod leads")
          .atMost(Duration.ofSeconds(60))
          .until(() -> !operator.alive());
      assertThat(operator.log()).contains("lost the leader Lease to operator pod operator-pod-2");
    }
  }

  /**
   * The packaged operator with a token of the chart's ServiceAccount, so with the chart's RBAC, and
   * the environment the chart's Deployment would give it.
   */
  static OperatorProcess asChartServiceAccount(String name, Map<String, String> env) {
    return OperatorProcess.start(
        cluster, name, ServiceAccountKubeconfig.write(cluster, NS, RELEASE), env);
  }

  static OperatorProcess leader(String identity) {
    return asChartServiceAccount(
        identity,
        Map.of(
            "MODELOPS_OPERATOR_LEADER_ELECTION_ENABLED",
            "true",
            "MODELOPS_OPERATOR_LEADER_ELECTION_LEASE_NAMESPACE",
            NS,
            "MODELOPS_OPERATOR_LEADER_ELECTION_IDENTITY",
            identity));
  }

  static void awaitLeaseHolder(String identity) {
    await(identity + " holds the Lease")
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              var lease = client.leases().inNamespace(NS).withName("modelops-operator-lock").get();
              return lease != null && identity.equals(lease.getSpec().getHolderIdentity());
            });
  }

  @Test
  @Order(4)
  void uninstallLeavesNoOrphansButKeepsTheCrd() {
    ScriptRun run = helm("uninstall", RELEASE, "--namespace", NS, "--wait");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    String selector = "app.kubernetes.io/instance=" + RELEASE;
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(
                      client
                          .apps()
                          .deployments()
                          .inNamespace(NS)
                          .withLabel("app.kubernetes.io/instance", RELEASE)
                          .list()
                          .getItems())
                  .isEmpty();
              assertThat(
                      client
                          .pods()
                          .inNamespace(NS)
                          .withLabel("app.kubernetes.io/instance", RELEASE)
                          .list()
                          .getItems())
                  .isEmpty();
            });
    ScriptRun left =
        cluster.kubectl(
            "get",
            "serviceaccounts,services,roles,rolebindings,clusterroles,clusterrolebindings",
            "-A",
            "-l",
            selector,
            "-o",
            "name");
    assertThat(left.stdout()).as("objects of the release left behind").isBlank();
    assertThat(crdInstalled()).as("Helm keeps the CRD, and with it every ModelDeployment").isTrue();
    assertThat(new ModelDeployments(client).api().inNamespace("default").withName("iris").get())
        .isNotNull();
  }

  @Test
  @Order(5)
  void watchNamespacesConfineTheOperatorToThem() {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("team-a").endMetadata().build())
        .create();
    install("watchNamespaces={team-a}");
    assertThat(canI("patch", "deployments.apps", "team-a")).isEqualTo("yes");
    assertThat(canI("patch", "deployments.apps", "default")).isEqualTo("no");
    assertThat(canI("list", "modeldeployments.modelops.dev", "default")).isEqualTo("no");

    try (OperatorProcess operator =
        asChartServiceAccount(
            "operator-team-a",
            Map.of("QUARKUS_OPERATOR_SDK_CONTROLLERS_MODELDEPLOYMENT_NAMESPACES", "team-a"))) {
      apply("team-a", "examples/cpu-model.yaml");
      waitAvailable("team-a", "iris");
      assertThat(operator.log()).doesNotContainIgnoringCase("forbidden");
    }
  }

  void apply(String file) {
    apply("default", file);
  }

  void apply(String namespace, String file) {
    ScriptRun run =
        cluster.kubectl(
            "apply", "-n", namespace, "-f", SandboxCluster.repo().resolve(file).toString());
    assertThat(run.exitCode()).as(run.stderr()).isZero();
  }

  void waitAvailable(String name) {
    waitAvailable("default", name);
  }

  void waitAvailable(String namespace, String name) {
    ScriptRun wait =
        cluster.kubectl(
            "wait", "-n", namespace, "--for=condition=Available", "mdep/" + name, "--timeout=60s");
    assertThat(wait.exitCode()).as(wait.stderr()).isZero();
  }

  static boolean crdInstalled() {
    return client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("modeldeployments.modelops.dev")
            .get()
        != null;
  }

  static String canI(String verb, String resource) {
    return canI(verb, resource, "default");
  }

  /** kubectl auth can-i as the operator; a resource "name/sub" asks about a subresource. */
  static String canI(String verb, String resource, String namespace) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("auth", "can-i", verb, resource.split("/")[0], "-n", namespace));
    if (resource.contains("/")) {
      args.add("--subresource=" + resource.split("/")[1]);
    }
    args.add("--as=" + OPERATOR_USER);
    return cluster.kubectl(args.toArray(String[]::new)).stdout().strip();
  }

  /** The JSON log line of the operator's first decision with this reason. */
  static JsonNode decisionLine(String log, String reason) throws Exception {
    ObjectMapper json = new ObjectMapper();
    for (String line : log.lines().filter(l -> l.startsWith("{")).toList()) {
      JsonNode node = json.readTree(line);
      if (node.path("message").asText().contains(": " + reason + ": ")) {
        return node;
      }
    }
    throw new AssertionError("no JSON log line with decision " + reason + " in:\n" + log);
  }
}
