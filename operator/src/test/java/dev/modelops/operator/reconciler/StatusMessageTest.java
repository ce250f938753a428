package dev.modelops.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.Conditions;
import dev.modelops.operator.api.v1alpha1.ModelDeployment;
import dev.modelops.operator.rollout.RolloutPlan;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.internal.OperationSupport;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exception text on its way to status and Events, made as Fabric8 makes it (a failed request with
 * the Status the API server answered) and as JOSDK wraps it (a failed workflow, one stack trace per
 * dependent): what reaches a watcher is the API server's words, not its address, the request's URL,
 * the Status object or a stack trace.
 */
class StatusMessageTest {

  private static final String API_SERVER = "https://10.0.0.1";

  static KubernetesClientException refused(String why) {
    Status status =
        new StatusBuilder()
            .withStatus("Failure")
            .withCode(422)
            .withReason("Invalid")
            .withMessage(why)
            .withNewDetails()
            .withName("fraud-r1")
            .withGroup("apps")
            .withKind("Deployment")
            .addNewCause()
            .withField("spec.template.spec.containers[0].image")
            .withReason("FieldValueRequired")
            .withMessage("Required value")
            .endCause()
            .endDetails()
            .build();
    var request =
        new StandardHttpRequest(
            Map.of(),
            URI.create(
                API_SERVER
                    + "/apis/apps/v1/namespaces/team-a/deployments/fraud-r1"
                    + "?fieldManager=modeldeployment&force=true"),
            "PATCH",
            null);
    return OperationSupport.requestFailure(request, status);
  }

  static final String INVALID =
      "Deployment.apps \"fraud-r1\" is invalid: spec.template.spec.containers[0].image: Required"
          + " value";

  static AggregatedOperatorException workflowFailed(Exception e) {
    return new AggregatedOperatorException(
        "Exception(s) during workflow execution.", Map.of("RevisionDeploymentsDependent", e));
  }

  @Test
  void aRefusedRequestKeepsTheApiServersWordsWithoutItsUrlOrStatusObject() {
    String fabric8 = refused(INVALID).getMessage();
    assertThat(fabric8).as("what Fabric8 says").contains(API_SERVER, "Received status: Status(");

    assertThat(StatusMessage.of(fabric8))
        .isEqualTo("the API server refused a PATCH: " + INVALID + ".");
  }

  @Test
  void aFailedWorkflowLosesItsStackTracesAndPackageNames() {
    String josdk = workflowFailed(refused(INVALID)).getMessage();
    assertThat(josdk)
        .as("what JOSDK says")
        .contains("\tat io.fabric8.", "KubernetesClientException");

    String message = StatusMessage.of(josdk);

    assertThat(message)
        .isEqualTo(
            "Exception(s) during workflow execution. Details: - RevisionDeploymentsDependent ->"
                + " KubernetesClientException: the API server refused a PATCH: "
                + INVALID
                + ".");
  }

  @Test
  void anyOtherUrlOfTheKubernetesApiIsHiddenAndOtherUrlsKept() {
    assertThat(
            StatusMessage.of(
                "watch of wss://10.0.0.1:6443/apis/modelops.dev/v1alpha1/modeldeployments?watch=1"
                    + " closed; model at https://models.example/fraud/7/model.onnx"))
        .isEqualTo(
            "watch of (the API server) closed; model at https://models.example/fraud/7/model.onnx");
  }

  @Test
  void aMessageIsOneLineOfAtMostOneKibibyte() {
    String message = StatusMessage.of("first line\n  second line\t" + "x".repeat(5000));
    assertThat(message)
        .hasSize(StatusMessage.MAX_LENGTH)
        .startsWith("first line second line xxx")
        .endsWith("…");
    assertThat(StatusMessage.of(null)).isNull();
  }

  /**
   * The Event path: a reconcile that fails on a refused request (JOSDK's wrapping and all) becomes
   * the Degraded condition (updateErrorStatus), then the Warning Event of that condition's change,
   * as the reconciler creates it: the Event carries the clean text, capped.
   */
  @Test
  void theEventOfAFailedReconcileCarriesTheCleanCappedText() {
    ModelDeployment mdep = StatusAssemblerTest.mdep(1, 1);
    new ModelDeploymentReconciler().updateErrorStatus(mdep, null, workflowFailed(refused(INVALID)));

    Event event = onlyEvent(mdep);

    assertThat(event.getType()).isEqualTo("Warning");
    assertThat(event.getReason()).isEqualTo("ReconcileError");
    assertThat(event.getInvolvedObject().getName()).isEqualTo("idle");
    assertThat(event.getMessage())
        .startsWith("the operator could not apply the spec, retrying: Exception(s) during workflow")
        .endsWith("the API server refused a PATCH: " + INVALID + ".")
        .doesNotContain(API_SERVER, "/apis/", "\tat ", "io.fabric8", "Status(");

    ModelDeployment long_ = StatusAssemblerTest.mdep(1, 1);
    new ModelDeploymentReconciler()
        .updateErrorStatus(long_, null, refused(INVALID + " " + "y".repeat(5000)));
    assertThat(onlyEvent(long_).getMessage()).hasSize(StatusMessage.MAX_LENGTH).endsWith("…");

    // An Event whose decision quotes an exception as it is (not through a condition).
    RolloutPlan.Event raw =
        new RolloutPlan.Event(
            "Warning", "RolledBack", workflowFailed(refused(INVALID)).getMessage());
    assertThat(DecisionEvents.kubernetesEvent(mdep, raw, "2026-12-02T01:00:00Z").getMessage())
        .isEqualTo(StatusMessage.of(raw.message()))
        .doesNotContain(API_SERVER, "\tat ");
  }

  private static Event onlyEvent(ModelDeployment failed) {
    List<RolloutPlan.Event> decisions = DecisionEvents.between(failed, null, failed.getStatus());
    assertThat(decisions).extracting(RolloutPlan.Event::reason).containsExactly("ReconcileError");
    assertThat(ConditionList.find(failed.getStatus().conditions, Conditions.DEGRADED))
        .get()
        .extracting(c -> c.getMessage())
        .isEqualTo(decisions.get(0).message());
    return DecisionEvents.kubernetesEvent(failed, decisions.get(0), "2026-12-02T01:00:00Z");
  }
}
