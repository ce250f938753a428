package dev.modelops.e2e.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.e2e.Schedule;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command plays every scene and cleans up after itself. */
@Order(Schedule.FRONT_1)
class DemoTest {

  @TempDir Path temp;

  @Test
  void demoPlaysEverySceneAndRemovesWhatItStarted() throws Exception {
    Path dir = temp.resolve("demo");
    ScriptRun run =
        ScriptRun.run(
            List.of(SandboxCluster.repo().resolve("demo.sh").toString(), "--no-wait"),
            List.of("DEMO_DIR=" + dir));

    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    assertThat(run.stdout())
        // The real node, with its simulated GPUs and its real container runtime.
        .containsPattern("sandbox-node-1\\s+2\\s+4\\s+containerd://")
        .contains("NVIDIA-H100-80GB-HBM3")
        .contains("STATUS: deployed")
        // The chart's operator pod runs on the real node, from the image built offline.
        .containsPattern("pod/modelops-operator-\\S+\\s+1/1\\s+Running.*sandbox-node-1")
        .contains("operator ready")
        .containsPattern("fraud-scorer-r1-\\S+\\s+1/1\\s+Running.*sandbox-node-1")
        .contains(
            "Available=True (MinimumReplicasAvailable): revision 1 serves with 2/2 pods ready")
        // What the pod's containers really said: the fetch, and the CPU fallback on a GPU pod.
        .contains("fetch: model ready at /models/model.onnx")
        .contains("execution provider: cpu (CUDA execution provider could not be loaded")
        .contains("execution providers: {\"cpu\":2}")
        .containsPattern(
            "Warning\\s+CpuFallback\\s+2 of the serving revision's pods run this GPU model on the CPU")
        .contains("revision 1: version 7, Superseded")
        .contains("revision 2: version 8, Serving")
        .containsPattern("fraud-scorer\\s+fraud-scorer\\s+8\\s+True")
        .contains("Degraded=True (InsufficientGPU): pod too-big-r1-")
        .contains("Insufficient nvidia.com/gpu")
        // A real init container's refusal of a model whose sha256 does not match.
        .contains("Degraded=True (ChecksumMismatch): pod tampered-r1-")
        .contains("expected 0000000000000000000000000000000000000000000000000000000000000000, got ")
        .containsPattern("iris-\\S+\\s+IPv4\\s+8080\\s+10\\.244\\.0\\.\\d+,10\\.244\\.0\\.\\d+")
        .containsPattern(
            "\\{\"model_name\":\"iris\",\"model_version\":\"1\",\"id\":\"demo-1\",\"outputs\":\\[\\{\"name\":\"probabilities\",\"datatype\":\"FP32\",\"shape\":\\[2,3\\]")
        // The canary scene: a good version promoted under live traffic, a broken one rolled back
        // by its analysis, an earlier revision served again by hand.
        .containsPattern("step=0 weight=50% \\|.*\\| Pass: error rate 0\\.0000")
        .contains("[demo] stable=2 canary= ")
        .contains("Degraded: AnalysisFailed: canary revision 3 failed 2 consecutive checks")
        .contains("revision 3: version 3, Failed")
        .contains("revision 4: version 1, Rollback, Serving")
        .contains("modelops.dev/rollback-to=1: Done")
        // The retraining scene: drift on live inputs, a Job that really trains, its model canaried
        // and promoted.
        .contains("DriftDetected=False (NoDrift)")
        .contains("DriftDetected=True (DriftDetected)")
        .contains("job.batch/classifier-retrain-1 condition met")
        .containsPattern("train: softmax regression, \\d+ epochs: accuracy 0\\.9")
        .containsPattern(
            "revision 2: version 1-retrained-\\d{14}, Retraining, Serving, "
                + "pvc://classifier-data/models/1-retrained-\\d{14}/model.onnx")
        .contains("RetrainingSucceeded")
        // The worse retrained model: a canary whose predictions are not its labels, rolled back.
        .contains("job.batch/classifier-retrain-2 condition met")
        .contains("fault train-serve-skew")
        .containsPattern(
            "Degraded: AnalysisFailed: canary revision 3 failed 2 consecutive checks at step 1/1:"
                + " predictions'"
                + " Jensen-Shannon distance from the training labels")
        .containsPattern(
            "revision 3: version 1-retrained-\\d{14}-retrained-\\d{14}, Retraining, Failed")
        .contains("stable revision: 2")
        .contains(
            "Retraining=False (RevisionFailed): revision 3, the model Job classifier-retrain-2 made")
        .contains("kubectl describe mdep fraud-scorer");
    assertThat(run.stderr()).contains("stopped and removed " + dir);
    assertThat(dir).doesNotExist();
    for (String url :
        List.of(
            find(run.stdout(), "metrics (http://localhost:\\d+)/q/metrics"),
            find(run.stdout(), "reachable on (http://localhost:\\d+)/v2"))) {
      assertThat(answers(url)).as("%s was stopped with the demo", url).isFalse();
    }
  }

  static String find(String text, String regex) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("%s in the demo's output", regex).isTrue();
    return m.group(1);
  }

  static boolean answers(String url) {
    try {
      java.net.HttpURLConnection c =
          (java.net.HttpURLConnection) java.net.URI.create(url).toURL().openConnection();
      c.setConnectTimeout(1000);
      c.getResponseCode();
      return true;
    } catch (java.io.IOException refused) {
      return false;
    }
  }
}
