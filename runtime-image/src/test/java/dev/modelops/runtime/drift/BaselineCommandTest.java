package dev.modelops.runtime.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code baseline} command on numpy's own .npy files (float32 and float64, from
 * make_drift_fixtures.py, with numpy's quantiles as the expected edges) and on CSV files.
 */
class BaselineCommandTest {

  @TempDir Path dir;
  final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

  int run(String... args) {
    return BaselineCommand.run(args, new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  String err() {
    return stderr.toString(StandardCharsets.UTF_8);
  }

  @Test
  void npyFromNumpyGivesNumpysQuantilesAndMoments() throws Exception {
    JsonNode expected = JsonFixtures.read("src/test/resources/drift/table.expected.json");
    for (String file : new String[] {"table_f64.npy", "table.npy"}) {
      Path out = dir.resolve(file + ".json");
      assertThat(
              run(
                  "--input",
                  "src/test/resources/drift/" + file,
                  "--bins",
                  "4",
                  "--output",
                  out.toString()))
          .as(err())
          .isZero();
      Baseline baseline = BaselineFile.read(out);
      // float32 holds 5.8 as 5.800000190734863: its numbers are numpy's to float32 precision.
      double tolerance = file.equals("table.npy") ? 1e-5 : 1e-12;
      assertThat(baseline.features()).hasSize(3);
      for (int i = 0; i < 3; i++) {
        JsonNode want = expected.get("features").get(i);
        var got = (BaselineFeature.Numeric) baseline.features().get(i);
        assertThat(got.name()).isEqualTo("f" + i);
        assertThat(got.count()).isEqualTo(200);
        assertThat(got.mean()).isCloseTo(want.get("mean").doubleValue(), within(tolerance));
        assertThat(got.std()).isCloseTo(want.get("std").doubleValue(), within(tolerance));
        double[] edges = JsonFixtures.doubles(want.get("binEdges"));
        assertThat(got.binEdges()).hasSize(edges.length);
        for (int e = 0; e < edges.length; e++) {
          assertThat(got.binEdges()[e]).isCloseTo(edges[e], within(tolerance));
        }
        assertThat(got.binCounts()).containsExactly(JsonFixtures.longs(want.get("binCounts")));
      }
    }
    assertThat(err()).contains("f0: numeric, 200 values", "baseline: wrote ");
  }

  @Test
  void npyColumnsAreNamedByFeatures() throws Exception {
    Path out = dir.resolve("b.json");
    assertThat(
            run(
                "--input", "src/test/resources/drift/table_f64.npy",
                "--features", "length,width,petal",
                "--outputs", "petal",
                "--output", out.toString()))
        .as(err())
        .isZero();
    Baseline baseline = BaselineFile.read(out);
    assertThat(baseline.features())
        .extracting(BaselineFeature::name)
        .containsExactly("length", "width");
    assertThat(baseline.outputs()).get().extracting(BaselineFeature::name).isEqualTo("petal");
    assertThat(((BaselineFeature.Numeric) baseline.features().get(0)).binCounts()).hasSize(10);
  }

  @Test
  void csvWithCategoricalColumnsAndOutputs() throws Exception {
    Path csv =
        Files.writeString(
            dir.resolve("train.csv"),
            """
            age,colour,"income, net",label
            20,red,1000,0
            31,blue,,1
            45,red,3000,1
            52,"green",2500,2
            """);
    Path out = dir.resolve("b.json");
    assertThat(
            run(
                "--input", csv.toString(),
                "--categorical", "colour,label",
                "--outputs", "label",
                "--bins", "2",
                "--output", out.toString()))
        .as(err())
        .isZero();
    Baseline baseline = BaselineFile.read(out);
    assertThat(baseline.features())
        .containsExactly(
            new BaselineFeature.Numeric(
                "age", 4, 37, Math.sqrt(153.5), new double[] {20, 38, 52}, new long[] {2, 2}),
            new BaselineFeature.Categorical(
                "colour", BaselineFileTest.orderedOf("blue", 1L, "green", 1L, "red", 2L)),
            new BaselineFeature.Numeric(
                "income, net",
                3,
                6500 / 3.0,
                Math.sqrt(
                    (Math.pow(1000 - 6500 / 3.0, 2)
                            + Math.pow(2500 - 6500 / 3.0, 2)
                            + Math.pow(3000 - 6500 / 3.0, 2))
                        / 3),
                new double[] {1000, 2500, 3000},
                new long[] {1, 2}));
    assertThat(baseline.outputs())
        .contains(
            new BaselineFeature.Categorical(
                "label", BaselineFileTest.orderedOf("0", 1L, "1", 2L, "2", 1L)));
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("--input", "x.csv")).isEqualTo(2);
    assertThat(err()).contains("--input and --output are required; usage: baseline");
    assertThat(run("--input", "x.csv", "--output", "b.json", "--bins", "zero")).isEqualTo(2);
    assertThat(run("--inptu", "x.csv")).isEqualTo(2);
    assertThat(err()).contains("unexpected argument '--inptu'");
  }

  @Test
  void dataErrorsExitOneWithTheReason() throws Exception {
    Path out = dir.resolve("b.json");
    assertThat(run("--input", dir.resolve("none.csv").toString(), "--output", out.toString()))
        .isEqualTo(1);
    assertThat(err()).contains("baseline: no such file: " + dir.resolve("none.csv"));

    Path csv = Files.writeString(dir.resolve("t.csv"), "a,b\n1,x\n2,y\n");
    assertThat(run("--input", csv.toString(), "--output", out.toString())).isEqualTo(1);
    assertThat(err())
        .contains(
            "t.csv line 2, column 'b': 'x' is not a number (list the column in --categorical)");
    assertThat(run("--input", csv.toString(), "--features", "a,c", "--output", out.toString()))
        .isEqualTo(1);
    assertThat(err()).contains("has no column 'c'; its columns are [a, b]");

    Path constant = Files.writeString(dir.resolve("c.csv"), "a\n1\n1\n");
    assertThat(run("--input", constant.toString(), "--output", out.toString())).isEqualTo(1);
    assertThat(err()).contains("feature 'a' has one value only, 1.0");

    Path oneD = dir.resolve("one.npy");
    Files.write(oneD, npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16));
    assertThat(run("--input", oneD.toString(), "--output", out.toString())).isEqualTo(1);
    assertThat(err()).contains("the array has shape (2,); a 2-D array (rows, features) is needed");

    Path ints = dir.resolve("ints.npy");
    Files.write(ints, npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 1), }", 16));
    assertThat(run("--input", ints.toString(), "--output", out.toString())).isEqualTo(1);
    assertThat(err()).contains("the array's dtype is '<i8'");
    assertThat(out).doesNotExist();
  }

  /** A version 1 .npy file with this header and that many zero bytes of data. */
  static byte[] npy(String header, int dataBytes) {
    byte[] text = header.getBytes(StandardCharsets.ISO_8859_1);
    byte[] bytes = new byte[10 + text.length + dataBytes];
    byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) text.length, 0};
    System.arraycopy(magic, 0, bytes, 0, 10);
    System.arraycopy(text, 0, bytes, 10, text.length);
    return bytes;
  }
}
