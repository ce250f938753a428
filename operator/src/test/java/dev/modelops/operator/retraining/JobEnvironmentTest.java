package dev.modelops.operator.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.api.v1alpha1.BaselineSource;
import dev.modelops.operator.api.v1alpha1.DriftStatus;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionTemplate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobEnvironmentTest {

  @Test
  void theJobLearnsWhatServesWhatDriftedAndWhereToReadMore() {
    RevisionTemplate t = RetrainingDeciderTest.template();
    BaselineSource b = RetrainingDeciderTest.baseline();
    Revision serving = new Revision(3, t.hash(), t, "Spec", null, Optional.empty(), Optional.of(b));
    DriftStatus drift = new DriftStatus();
    drift.method = "psi";
    drift.score = 0.93;
    drift.threshold = 0.1;
    drift.samples = 10000L;
    drift.worstFeatures =
        List.of(
            new DriftStatus.FeatureScore("x2", 0.93), new DriftStatus.FeatureScore("x0", 0.004));
    var env =
        JobEnvironment.of(
            "team",
            "iris",
            "iris",
            serving,
            Optional.of(drift),
            "http://iris.team.svc:8080/v2/models/iris",
            1);
    assertThat(env)
        .containsEntry("MODELOPS_NAMESPACE", "team")
        .containsEntry("MODELOPS_DEPLOYMENT", "iris")
        .containsEntry("MODELOPS_MODEL_NAME", "iris")
        .containsEntry("MODELOPS_MODEL_VERSION", "1")
        .containsEntry("MODELOPS_MODEL_URI", "http://models.example/iris/1.onnx")
        .containsEntry("MODELOPS_REVISION", "3")
        .containsEntry("MODELOPS_ATTEMPT", "1")
        .containsEntry("MODELOPS_DRIFT_METHOD", "psi")
        .containsEntry("MODELOPS_DRIFT_SCORE", "0.93")
        .containsEntry("MODELOPS_DRIFT_THRESHOLD", "0.1")
        .containsEntry("MODELOPS_DRIFT_SAMPLES", "10000")
        .containsEntry("MODELOPS_DRIFTED_FEATURES", "x2,x0")
        .containsEntry("MODELOPS_DRIFT_FEATURE_SCORES", "x2=0.93,x0=0.004")
        .containsEntry("MODELOPS_BASELINE_URI", b.uri)
        .containsEntry("MODELOPS_BASELINE_SHA256", b.sha256)
        .containsEntry(
            "MODELOPS_DRIFT_REPORT_URL", "http://iris.team.svc:8080/v2/models/iris/drift");
  }

  @Test
  void unknownValuesAreLeftOutNotEmpty() {
    RevisionTemplate t = RetrainingDeciderTest.template();
    t.model().version = null;
    var env =
        JobEnvironment.of(
            "team",
            "iris",
            "iris",
            new Revision(1, t.hash(), t, "Spec", null),
            Optional.empty(),
            "http://iris.team.svc:8080/v2/models/iris",
            1);
    assertThat(env)
        .doesNotContainKeys(
            "MODELOPS_MODEL_VERSION", "MODELOPS_DRIFT_SCORE", "MODELOPS_BASELINE_URI")
        .doesNotContainValue("");
  }
}
