package dev.modelops.e2e.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Validation;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.Variable;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart as rendered for the main value combinations, its lint, and its wrong values. */
@Order(Schedule.FRONT_6)
class ChartRenderTest {

  static final String CRD = "modeldeployments.modelops.dev-v1.yml";

  @Test
  void lintIsClean() {
    ScriptRun lint = Helm.run(null, "lint", "--strict", Helm.CHART.toString());
    assertThat(lint.exitCode()).as(lint.stdout() + lint.stderr()).isZero();
    assertThat(lint.stdout()).contains("0 chart(s) failed").doesNotContain("[WARNING]");
  }

  @Test
  void chartCarriesTheGeneratedCrd() throws Exception {
    assertThat(Files.readString(Helm.CHART.resolve("crds").resolve(CRD)))
        .as("helm/modelops-operator/crds/%s must be a copy of crds/%s: copy it over", CRD, CRD)
        .isEqualTo(Files.readString(SandboxCluster.repo().resolve("crds").resolve(CRD)));
  }

  @Test
  void defaultsServeEveryNamespaceWithAClusterRoleAndAHardenedPod() {
    List<HasMetadata> objects = Helm.render();
    assertThat(kinds(objects))
        .containsExactlyInAnyOrder(
            "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment");

    ClusterRole role = one(objects, ClusterRole.class);
    assertThat(verbs(role.getRules()))
        .containsEntry("modelops.dev/modeldeployments", List.of("get", "list", "watch", "patch"))
        .containsEntry("modelops.dev/modeldeployments/status", List.of("patch"))
        .containsEntry("/pods", List.of("get", "list", "watch"))
        .containsEntry("batch/jobs", List.of("get", "list", "watch", "create"))
        .containsEntry("/events", List.of("create"))
        .containsEntry(
            "apps/deployments", List.of("get", "list", "watch", "create", "patch", "delete"))
        .containsEntry("/services", List.of("get", "list", "watch", "create", "patch", "delete"))
        .containsEntry(
            "gateway.networking.k8s.io/httproutes",
            List.of("get", "list", "watch", "create", "patch", "delete"));
    assertThat(role.getRules())
        .as("no wildcards, no secrets, no leases without leader election")
        .allSatisfy(
            r -> {
              assertThat(r.getVerbs()).doesNotContain("*");
              assertThat(r.getResources()).doesNotContain("*", "secrets", "leases");
            });

    Deployment deployment = one(objects, Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isOne();
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("modelops-operator");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container operator = pod.getContainers().get(0);
    assertThat(operator.getImage()).isEqualTo("modelops/operator:0.1.0");
    assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(operator.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
    assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(env(operator))
        .containsEntry(
            "QUARKUS_OPERATOR_SDK_CONTROLLERS_MODELDEPLOYMENT_NAMESPACES", "JOSDK_ALL_NAMESPACES")
        .containsEntry("MODELOPS_OPERATOR_RUNTIME_IMAGE", "modelops/runtime:0.1.0")
        .containsEntry("MODELOPS_OPERATOR_ANALYSIS_DEFAULT_SOURCE", "pods")
        .containsEntry("MODELOPS_OPERATOR_LEADER_ELECTION_ENABLED", "false")
        .containsEntry("QUARKUS_LOG_CATEGORY__DEV_MODELOPS__LEVEL", "INFO")
        .containsEntry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false")
        .as("no networks added: the fetch steps keep their link-local default")
        .doesNotContainKey("MODELOPS_OPERATOR_FETCH_DENIED_NETWORKS")
        .as("no JVM options added: the runtime pods keep the image's")
        .doesNotContainKey("MODELOPS_OPERATOR_RUNTIME_JAVA_OPTIONS");
  }

  @Test
  void runtimeJavaOptionsReachTheOperatorAsTheyAreWritten() {
    List<HasMetadata> objects =
        Helm.render("operator.runtimeJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    assertThat(env(one(objects, Deployment.class)))
        .containsEntry(
            "MODELOPS_OPERATOR_RUNTIME_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
  }

  @Test
  void deniedNetworksReachTheOperatorAsOneCommaSeparatedSetting() {
    List<HasMetadata> objects =
        Helm.render("operator.fetch.deniedNetworks={10.96.0.0/12,10.244.0.0/16,fd00::/8}");
    assertThat(env(one(objects, Deployment.class)))
        .containsEntry(
            "MODELOPS_OPERATOR_FETCH_DENIED_NETWORKS", "10.96.0.0/12,10.244.0.0/16,fd00::/8");
  }

  @Test
  void watchNamespacesGetARoleEachAndNoClusterRole() {
    List<HasMetadata> objects = Helm.render("watchNamespaces={team-a,team-b}");
    assertThat(kinds(objects)).doesNotContain("ClusterRole", "ClusterRoleBinding");
    assertThat(all(objects, Role.class))
        .extracting(r -> r.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(all(objects, RoleBinding.class))
        .allSatisfy(
            b -> assertThat(b.getSubjects().get(0).getNamespace()).isEqualTo("modelops-system"));
    assertThat(env(one(objects, Deployment.class)))
        .containsEntry(
            "QUARKUS_OPERATOR_SDK_CONTROLLERS_MODELDEPLOYMENT_NAMESPACES", "team-a,team-b");
  }

  @Test
  void moreThanOneReplicaElectsALeaderThroughALease() {
    List<HasMetadata> objects = Helm.render("replicas=2");
    Role lease =
        all(objects, Role.class).stream()
            .filter(r -> r.getMetadata().getName().endsWith("-leader-election"))
            .findFirst()
            .orElseThrow();
    assertThat(lease.getMetadata().getNamespace()).isEqualTo("modelops-system");
    assertThat(verbs(lease.getRules()))
        .containsExactly(
            Map.entry("coordination.k8s.io/leases", List.of("get", "create", "update", "patch")));
    assertThat(env(one(objects, Deployment.class)))
        .containsEntry("MODELOPS_OPERATOR_LEADER_ELECTION_ENABLED", "true")
        .containsEntry("MODELOPS_OPERATOR_LEADER_ELECTION_LEASE_NAMESPACE", "modelops-system");
    assertThat(
            one(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv())
        .as("the Lease names the pod that holds it")
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("MODELOPS_OPERATOR_LEADER_ELECTION_IDENTITY");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
            });
  }

  @Test
  void observabilityOptionsAddAServiceMonitorAndADashboard() throws Exception {
    List<HasMetadata> objects =
        Helm.render(
            "metrics.serviceMonitor.enabled=true",
            "metrics.serviceMonitor.labels.release=prometheus",
            "dashboard.enabled=true",
            "operator.logFormat=json",
            "operator.analysis.defaultSource=prometheus",
            "operator.analysis.prometheusUrl=http://prometheus.monitoring:9090");
    GenericKubernetesResource monitor =
        all(objects, GenericKubernetesResource.class).stream()
            .filter(o -> o.getKind().equals("ServiceMonitor"))
            .findFirst()
            .orElseThrow();
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    assertThat(monitor.toString()).contains("/q/metrics");
    ConfigMap dashboard = one(objects, ConfigMap.class);
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    var json = new ObjectMapper().readTree(dashboard.getData().get("modelops-operator.json"));
    assertThat(json.get("title").asText()).isEqualTo("modelops operator");
    assertThat(json.toString())
        .contains("operator_sdk_reconciliations_failed_total")
        .contains("modelops_modeldeployment_ready_replicas");
    assertThat(env(one(objects, Deployment.class)))
        .containsEntry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true")
        .containsEntry("MODELOPS_OPERATOR_ANALYSIS_DEFAULT_SOURCE", "prometheus")
        .containsEntry(
            "MODELOPS_OPERATOR_ANALYSIS_PROMETHEUS_URL", "http://prometheus.monitoring:9090");
  }

  @Test
  void noAdmissionPolicyUnlessAskedFor() {
    assertThat(kinds(Helm.render()))
        .doesNotContain("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
  }

  @Test
  void theAdmissionPolicyAllowsTheOperatorsRuntimeImagesAndNvidiaByDefault() {
    List<HasMetadata> objects = Helm.render("admissionPolicy.enabled=true");
    ValidatingAdmissionPolicy policy = one(objects, ValidatingAdmissionPolicy.class);
    assertThat(policy.getMetadata().getName()).isEqualTo("modelops-operator-modeldeployments");
    assertThat(policy.getSpec().getFailurePolicy()).isEqualTo("Fail");
    var rule = policy.getSpec().getMatchConstraints().getResourceRules().get(0);
    assertThat(rule.getApiGroups()).containsExactly("modelops.dev");
    assertThat(rule.getResources()).containsExactly("modeldeployments");
    assertThat(rule.getOperations()).containsExactly("CREATE", "UPDATE");
    assertThat(variables(policy))
        .containsEntry("allowedImages", "[\"modelops/runtime:0.1.0\"]")
        .containsEntry("allowedRuntimeClasses", "[\"nvidia\"]");
    assertThat(policy.getSpec().getValidations())
        .extracting(Validation::getMessageExpression)
        .anySatisfy(
            m -> assertThat(m).contains("spec.runtime.image").contains("modelops/runtime:0.1.0"))
        .anySatisfy(m -> assertThat(m).contains("spec.runtime.runtimeClassName").contains("nvidia"))
        .anySatisfy(m -> assertThat(m).contains("spec.runtime.tolerations"));
    ValidatingAdmissionPolicyBinding binding = one(objects, ValidatingAdmissionPolicyBinding.class);
    assertThat(binding.getSpec().getPolicyName()).isEqualTo("modelops-operator-modeldeployments");
    assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
  }

  @Test
  void theAdmissionPolicyRendersTheConfiguredListsIntoItsRulesAndMessages() {
    List<HasMetadata> objects =
        Helm.render(
            "admissionPolicy.enabled=true",
            "admissionPolicy.allowedImages={registry.example.com/ml/,quay.io/team/runtime:}",
            "admissionPolicy.allowedRuntimeClasses={nvidia,kata}",
            "admissionPolicy.validationActions={Warn,Audit}",
            "operator.runtimeImage=registry.example.com/modelops/runtime:0.1.0",
            "operator.runtimeGpuImage=registry.example.com/modelops/runtime-gpu:0.1.0");
    ValidatingAdmissionPolicy policy = one(objects, ValidatingAdmissionPolicy.class);
    assertThat(variables(policy))
        .as("the operator's own runtime images first, then the listed ones")
        .containsEntry(
            "allowedImages",
            "[\"registry.example.com/modelops/runtime:0.1.0\","
                + "\"registry.example.com/modelops/runtime-gpu:0.1.0\","
                + "\"registry.example.com/ml/\",\"quay.io/team/runtime:\"]")
        .containsEntry("allowedRuntimeClasses", "[\"nvidia\",\"kata\"]");
    assertThat(policy.getSpec().getValidations())
        .extracting(Validation::getMessageExpression)
        .as("a prefix is shown with a * in the message")
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains(
                        "registry.example.com/modelops/runtime:0.1.0,"
                            + " registry.example.com/modelops/runtime-gpu:0.1.0,"
                            + " registry.example.com/ml/*, quay.io/team/runtime:*"))
        .anySatisfy(m -> assertThat(m).contains("nvidia, kata"));
    assertThat(
            one(objects, ValidatingAdmissionPolicyBinding.class).getSpec().getValidationActions())
        .containsExactly("Warn", "Audit");

    ValidatingAdmissionPolicy none =
        one(
            Helm.render(
                "admissionPolicy.enabled=true", "admissionPolicy.allowedRuntimeClasses=null"),
            ValidatingAdmissionPolicy.class);
    assertThat(variables(none)).containsEntry("allowedRuntimeClasses", "[]");
    assertThat(none.getSpec().getValidations())
        .extracting(Validation::getMessageExpression)
        .anySatisfy(m -> assertThat(m).contains("the policy allows no RuntimeClass"));
  }

  static Map<String, String> variables(ValidatingAdmissionPolicy policy) {
    return policy.getSpec().getVariables().stream()
        .collect(Collectors.toMap(Variable::getName, v -> v.getExpression().strip()));
  }

  static Stream<Arguments> wrongValues() {
    return Stream.of(
        Arguments.of("replicas=many", "at '/replicas': got string, want integer"),
        Arguments.of("replicas=0", "at '/replicas': minimum"),
        Arguments.of("operator.logLevel=LOUD", "at '/operator/logLevel'"),
        Arguments.of("operator.logFormat=xml", "at '/operator/logFormat'"),
        Arguments.of("image.pullPolicy=Sometimes", "at '/image/pullPolicy'"),
        Arguments.of("watchNamespaces={Team_A}", "at '/watchNamespaces/0'"),
        Arguments.of("replica=2", "additional properties 'replica' not allowed"),
        Arguments.of(
            "operator.fetch.deniedNetworks={10.96.0.0}", "at '/operator/fetch/deniedNetworks/0'"),
        Arguments.of(
            "operator.analysis.prometheusUrl=prometheus:9090",
            "at '/operator/analysis/prometheusUrl'"),
        Arguments.of(
            "operator.analysis.defaultSource=prometheus",
            "operator.analysis.prometheusUrl is required when operator.analysis.defaultSource is"
                + " prometheus"),
        Arguments.of(
            "metrics.serviceMonitor.enabled=true,metrics.service.enabled=false",
            "metrics.serviceMonitor.enabled needs metrics.service.enabled"),
        Arguments.of(
            "serviceAccount.create=false",
            "serviceAccount.name must name an existing ServiceAccount"),
        Arguments.of(
            "admissionPolicy.validationActions={Block}",
            "at '/admissionPolicy/validationActions/0'"),
        Arguments.of(
            "admissionPolicy.enabled=true,admissionPolicy.validationActions={Deny,Warn}",
            "admissionPolicy.validationActions: Deny and Warn cannot be combined"),
        Arguments.of(
            "admissionPolicy.allowedRuntimeClasses={Kata_Containers}",
            "at '/admissionPolicy/allowedRuntimeClasses/0'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongValues")
  void wrongValuesFailWithAMessageNamingTheValue(String set, String message) {
    ScriptRun run = Helm.template(set);
    assertThat(run.exitCode()).as(run.stdout()).isNotZero();
    assertThat(run.stderr()).contains(message);
  }

  static List<String> kinds(List<HasMetadata> objects) {
    return objects.stream().map(HasMetadata::getKind).toList();
  }

  static <T> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static <T> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = all(objects, type);
    assertThat(found).as("one %s", type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  /** "group/resource" to verbs, one entry per resource of each rule. */
  static Map<String, List<String>> verbs(List<PolicyRule> rules) {
    return rules.stream()
        .flatMap(
            r ->
                r.getResources().stream()
                    .map(res -> Map.entry(r.getApiGroups().get(0) + "/" + res, r.getVerbs())))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  static Map<String, String> env(Deployment deployment) {
    return env(deployment.getSpec().getTemplate().getSpec().getContainers().get(0));
  }

  static Map<String, String> env(Container container) {
    return container.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }
}
