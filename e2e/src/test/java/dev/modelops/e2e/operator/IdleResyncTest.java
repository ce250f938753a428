package dev.modelops.e2e.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelops.e2e.api.ModelDeployments;
import dev.modelops.e2e.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With nothing changed, a reconcile writes nothing: counted in the API server's own audit log, for
 * the operator's ServiceAccount, across reconciles counted in the operator's metrics.
 */
class IdleResyncTest {

  static final String OPERATOR_USER = "system:serviceaccount:modelops-system:modelops-operator";
  static final Pattern SUCCESS =
      Pattern.compile(
          "operator_sdk_reconciliations_success_total\\{[^}]*kind=\"ModelDeployment\"[^}]*} ([0-9.]+)");

  static final Pattern RECONCILE_COUNT =
      Pattern.compile(
          "(?m)^operator_sdk_controllers_execution_reconcile_seconds_count\\{[^}]*} ([0-9.E]+)");
  static final Pattern PER_RESOURCE =
      Pattern.compile("(?m)^operator_sdk_[^{]*\\{[^}]*name=\"idle\"");

  @TempDir Path temp;

  @Test
  void idleReconcilesMakeNoWriteCalls() throws IOException {
    Path policy = temp.resolve("audit-policy.yaml");
    Files.writeString(
        policy,
        """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: [RequestReceived]
        rules:
        - level: Metadata
          verbs: [create, update, patch, delete, deletecollection]
        - level: None
        """);
    Path audit = temp.resolve("audit.log");
    try (SandboxCluster cluster =
        SandboxCluster.start(
            "idle",
            List.of(),
            List.of(
                "KUBE_APISERVER_EXTRA_ARGS=--audit-policy-file="
                    + policy
                    + " --audit-log-path="
                    + audit))) {
      KubernetesClient client = cluster.client();
      ModelDeployments mdeps = new ModelDeployments(client);
      mdeps.installCrd();
      Path operatorKubeconfig = serviceAccountKubeconfig(cluster, client);
      try (OperatorProcess operator =
          OperatorProcess.start(cluster, "operator", operatorKubeconfig)) {
        mdeps.create(
            ModelDeployments.modelDeployment(
                "idle",
                Map.of(
                    "model",
                    Map.of("uri", "file:///models/m.onnx"),
                    "runtime",
                    Map.of("replicas", 2))));
        var wait =
            cluster.kubectl("wait", "--for=condition=Available", "mdep/idle", "--timeout=60s");
        assertThat(wait.exitCode()).as(wait.stderr()).isZero();
        // Settled by state, not by a quiet moment on the clock: Available comes with the first
        // ready pod, and the second pod's readiness is a real change the operator writes later
        // (a 700 ms window of silence was too short on a busy 2-core machine).
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> converged(mdeps.api().inNamespace("default").withName("idle").get()));
        // A barrier: the reconciles of a resource run one at a time, so once the one this touch
        // starts has ended, every earlier one has written what it had to write.
        touchAndAwaitReconcile(client, operator, "settled");

        long writesBefore = operatorWrites(audit);
        double before = successes(operator);
        for (int round = 1; round <= 3; round++) {
          // Another party touches an owned Deployment: the reconciler wakes, finds nothing to
          // change. An annotation moves a Deployment's generation too, so the reconcile may see
          // its status one generation old: that is no reason to flip Available off and on.
          touchAndAwaitReconcile(client, operator, "round-" + round);
        }
        assertThat(successes(operator)).isGreaterThanOrEqualTo(before + 3);
        // Every reconcile is in the one histogram of reconcile times, and no series is the
        // ModelDeployment's own: their number does not grow with the ModelDeployments.
        String scrape = operator.metrics();
        Matcher timed = RECONCILE_COUNT.matcher(scrape);
        assertThat(timed.find())
            .as("operator_sdk_controllers_execution_reconcile_seconds_count")
            .isTrue();
        assertThat(Double.parseDouble(timed.group(1))).isGreaterThanOrEqualTo(successes(scrape));
        assertThat(PER_RESOURCE.matcher(scrape).find())
            .as("a per-resource operator_sdk series")
            .isFalse();
        assertThat(operatorWriteLines(audit).stream().skip(writesBefore).map(IdleResyncTest::call))
            .as("write calls of idle reconciles")
            .isEmpty();
        assertThat(operatorWrites(audit))
            .as("the audit log does see the operator's writes")
            .isPositive();
      }
    }
  }

  /** Both pods ready and the rollout complete, as the operator's status of this generation says. */
  private static boolean converged(GenericKubernetesResource mdep) {
    Map<String, Object> status = ModelDeployments.status(mdep);
    Map<String, Object> progressing = ModelDeployments.condition(mdep, "Progressing");
    return "False".equals(progressing.get("status"))
        && "RolloutComplete".equals(progressing.get("reason"))
        && Integer.valueOf(2).equals(status.get("readyReplicas"))
        && mdep.getMetadata()
            .getGeneration()
            .equals(((Number) status.getOrDefault("observedGeneration", -1)).longValue());
  }

  /** Annotates the owned Deployment (another party's change) and waits for one more reconcile. */
  private static void touchAndAwaitReconcile(
      KubernetesClient client, OperatorProcess operator, String value) {
    double reconciled = successes(operator);
    // A merge patch, not a read-modify-write: the deployment controller writes this Deployment's
    // status after each touch, and an update carrying the read resourceVersion then fails with 409
    // Conflict (seen in a CI run).
    client
        .apps()
        .deployments()
        .inNamespace("default")
        .withName("idle-r1")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"example.com/touched\":\"" + value + "\"}}}");
    await().atMost(Duration.ofSeconds(30)).until(() -> successes(operator) > reconciled);
  }

  static double successes(OperatorProcess operator) {
    return successes(operator.metrics());
  }

  static double successes(String scrape) {
    Matcher m = SUCCESS.matcher(scrape);
    double total = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
    }
    return total;
  }

  static long operatorWrites(Path audit) throws IOException {
    return operatorWriteLines(audit).size();
  }

  static List<String> operatorWriteLines(Path audit) throws IOException {
    if (!Files.exists(audit)) {
      return List.of();
    }
    try (var lines = Files.lines(audit)) {
      return lines.filter(l -> l.contains("\"username\":\"" + OPERATOR_USER + "\"")).toList();
    }
  }

  /** "verb requestURI" of an audit line, so a failure names the calls. */
  static String call(String auditLine) {
    Matcher verb = Pattern.compile("\"verb\":\"([^\"]+)\"").matcher(auditLine);
    Matcher uri = Pattern.compile("\"requestURI\":\"([^\"]+)\"").matcher(auditLine);
    return (verb.find() ? verb.group(1) : "?") + " " + (uri.find() ? uri.group(1) : "?");
  }

  /**
   * A kubeconfig with the token of a ServiceAccount bound to cluster-admin (RBAC is the Helm
   * chart's job).
   */
  static Path serviceAccountKubeconfig(SandboxCluster cluster, KubernetesClient client) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("modelops-system")
                .endMetadata()
                .build())
        .create();
    client
        .serviceAccounts()
        .inNamespace("modelops-system")
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("modelops-operator")
                .endMetadata()
                .build())
        .create();
    client
        .rbac()
        .clusterRoleBindings()
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("modelops-operator-test")
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName("cluster-admin")
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("modelops-operator")
                .withNamespace("modelops-system")
                .endSubject()
                .build())
        .create();
    return ServiceAccountKubeconfig.write(cluster, "modelops-system", "modelops-operator");
  }
}
