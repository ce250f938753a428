package dev.modelops.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.modelops.e2e.sandbox.AppImages;
import dev.modelops.e2e.sandbox.SandboxCluster;
import dev.modelops.e2e.sandbox.ScriptRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example trainer (examples/trainer): its own pytest cases, and its image, built offline,
 * checked as a registry would check it and run as a container runtime would: train.py in a chroot
 * as the image's user, on labelled data, with the environment a retraining Job gets.
 */
class TrainerImageTest {

  @TempDir Path temp;

  @Test
  void trainScriptTestsPass() {
    ScriptRun pytest =
        ScriptRun.run(
            List.of(
                "python3",
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                SandboxCluster.repo().resolve("examples/trainer/test_train.py").toString()),
            List.of());
    String output = pytest.stdout() + pytest.stderr();
    assertThat(output)
        .as(
            "pytest output:%n%s%nInstall what it needs: pip install -r runtime-image/requirements-test.txt",
            output)
        .doesNotContain("No module named")
        .contains(" passed")
        .doesNotContain("failed");
    assertThat(pytest.exitCode()).as(output).isZero();
  }

  @Test
  void imageTrainsAsItsUserAndRefusesBadData() throws Exception {
    OciImage image = OciImage.unpack(AppImages.trainer(), temp);
    JsonNode config = image.config();
    assertThat(config.at("/config/User").asText()).isEqualTo("10001:10001");
    Path work = Files.createDirectories(image.rootfs().resolve("tmp/work"));
    Files.setAttribute(work, "unix:uid", 10001);
    Files.copy(
        SandboxCluster.repo().resolve("runtime-image/src/test/resources/models/mlp.onnx"),
        work.resolve("mlp.onnx"));
    Files.writeString(work.resolve("recent.csv"), labelledRows(600));

    ScriptRun trained = train(image, "recent.csv");
    assertThat(trained.exitCode()).as(trained.stderr()).isZero();
    assertThat(trained.stderr()).contains("train: softmax regression, 500 epochs: accuracy 0.9");
    JsonNode report = OciImage.JSON.readTree(work.resolve("termination-log").toFile());
    String version = report.get("version").asText();
    assertThat(version).matches("1-retrained-\\d{14}");
    assertThat(report.get("uri").asText())
        .isEqualTo("pvc://data/models/" + version + "/model.onnx");
    Path model = work.resolve("out").resolve(version).resolve("model.onnx");
    assertThat(report.get("sha256").asText())
        .isEqualTo(
            HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model))));
    assertThat(Files.getAttribute(model, "unix:uid"))
        .as("written by the image's user")
        .isEqualTo(10001);

    Files.writeString(
        work.resolve("bad.csv"), "x0,x1,x2,x3,label\n0.1,0.2,0.3,0.4,0\n0.1,abc,0.3,0.4,1\n");
    ScriptRun refused = train(image, "bad.csv");
    assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(1);
    assertThat(refused.stderr())
        .contains("train: /tmp/work/bad.csv line 3, column 'x1': 'abc' is not a number")
        .doesNotContain("Traceback");
  }

  /** train.py in the image on /tmp/work/DATA, with the image's environment and a Job's. */
  static ScriptRun train(OciImage image, String data) {
    List<String> env = new ArrayList<>();
    image.config().at("/config/Env").forEach(e -> env.add(e.asText()));
    env.addAll(List.of("MODELOPS_MODEL_URI=/tmp/work/mlp.onnx", "MODELOPS_MODEL_VERSION=1"));
    List<String> command =
        image.command(
            "--data",
            "/tmp/work/" + data,
            "--out-dir",
            "/tmp/work/out",
            "--uri-prefix",
            "pvc://data/models",
            "--termination-log",
            "/tmp/work/termination-log");
    List<String> withEnv = new ArrayList<>(List.of("env", "-i"));
    withEnv.addAll(env);
    withEnv.addAll(command);
    return ScriptRun.run(withEnv, List.of());
  }

  /**
   * Rows of four standard normal features, x2 moved by 1.5, labelled by which of x0, x1 and x2 -
   * 1.5 is the largest (the drift tests' world after the drift).
   */
  static String labelledRows(int n) {
    Random random = new Random(7);
    StringBuilder csv = new StringBuilder("x0,x1,x2,x3,label\n");
    for (int i = 0; i < n; i++) {
      double[] x = {
        random.nextGaussian(),
        random.nextGaussian(),
        random.nextGaussian() + 1.5,
        random.nextGaussian()
      };
      int label = x[0] >= x[1] && x[0] >= x[2] - 1.5 ? 0 : x[1] >= x[2] - 1.5 ? 1 : 2;
      csv.append(
          String.format(Locale.ROOT, "%.4f,%.4f,%.4f,%.4f,%d%n", x[0], x[1], x[2], x[3], label));
    }
    return csv.toString();
  }
}
