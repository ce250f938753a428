package dev.modelops.runtime.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The baseline file: written and read back alike, and every malformed field named. */
class BaselineFileTest {

  static final BaselineFeature.Numeric AGE =
      new BaselineFeature.Numeric(
          "age", 6, 35.5, 10.2, new double[] {18, 30, 45, 70}, new long[] {2, 2, 2});
  static final BaselineFeature.Categorical CLASS =
      new BaselineFeature.Categorical("class", Map.of("0", 4L));

  @Test
  void roundTrip(@TempDir Path dir) throws Exception {
    Baseline baseline = new Baseline(List.of(AGE), Optional.of(CLASS));
    Path file = dir.resolve("baseline.json");
    BaselineFile.write(baseline, file);
    assertThat(BaselineFile.read(file)).isEqualTo(baseline);
    assertThat(Files.readString(file)).contains("\"formatVersion\" : 1", "\"type\" : \"numeric\"");
  }

  static String error(String json) {
    try {
      BaselineFile.parse(new ObjectMapper().readTree(json));
    } catch (BaselineFile.InvalidBaselineException e) {
      return e.getMessage();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("accepted: " + json);
  }

  static final String NUMERIC =
      """
      {"name": "age", "type": "numeric", "count": 6, "mean": 1, "std": 1, "binEdges": %s, "binCounts": %s}""";

  @Test
  void everyProblemNamesItsField() {
    assertThat(error("{\"formatVersion\": 2, \"features\": []}"))
        .isEqualTo("formatVersion: 2 is not known; this runtime reads version 1");
    assertThat(error("{\"features\": []}")).isEqualTo("formatVersion: required, an integer");
    assertThat(error("{\"formatVersion\": 1, \"features\": []}"))
        .isEqualTo("features: required, a non-empty array");
    assertThat(
            error(
                "{\"formatVersion\": 1, \"features\": ["
                    + NUMERIC.formatted("[0, 2, 1]", "[1, 1]")
                    + "]}"))
        .isEqualTo("features[0].binEdges: must ascend strictly; 1.0 follows 2.0");
    assertThat(
            error(
                "{\"formatVersion\": 1, \"features\": ["
                    + NUMERIC.formatted("[0, 1, 2]", "[1]")
                    + "]}"))
        .isEqualTo("features[0].binCounts: has 1 counts for 3 edges; k+1 edges need k counts");
    assertThat(
            error(
                "{\"formatVersion\": 1, \"features\": ["
                    + NUMERIC.formatted("[0, 1]", "[-1]")
                    + "]}"))
        .isEqualTo("features[0].binCounts[0]: must be a count, an integer from 0");
    assertThat(
            error("{\"formatVersion\": 1, \"features\": [{\"name\": \"x\", \"type\": \"text\"}]}"))
        .isEqualTo("features[0].type: 'text' is not numeric or categorical");
    assertThat(error("{\"formatVersion\": 1, \"features\": [{\"type\": \"numeric\"}]}"))
        .isEqualTo("features[0].name: required");
    assertThat(
            error(
                "{\"formatVersion\": 1, \"features\": ["
                    + NUMERIC.formatted("[0, 1]", "[1]")
                    + "], \"outputs\": {\"name\": \"y\", \"type\": \"categorical\", \"frequencies\": {}}}"))
        .isEqualTo("outputs.frequencies: must be a non-empty object of value: count");
  }

  @Test
  void aFileThatIsNotJsonSaysSo(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("b.json"), "formatVersion: 1");
    assertThatThrownBy(() -> BaselineFile.read(file))
        .isInstanceOf(BaselineFile.InvalidBaselineException.class)
        .hasMessageStartingWith(file + " is not JSON: ");
  }

  @Test
  void numericBinsAreLeftClosedWithTheLastClosed() {
    var bin = AGE.binning();
    assertThat(
            new int[] {
              bin.applyAsInt(17.9),
              bin.applyAsInt(18),
              bin.applyAsInt(29.9),
              bin.applyAsInt(30),
              bin.applyAsInt(70),
              bin.applyAsInt(70.1),
              bin.applyAsInt(Double.NaN)
            })
        .containsExactly(0, 1, 1, 2, 3, 4, -1);
    assertThat(AGE.counts()).containsExactly(0, 2, 2, 2, 0);
  }

  @Test
  void categoricalBinsMatchNumbersByValueAndCollectTheRestInOther() {
    var colour =
        new BaselineFeature.Categorical("c", new java.util.LinkedHashMap<>(Map.of("1", 3L)));
    var two = new BaselineFeature.Categorical("c", orderedOf("0", 5L, "2.5", 1L, "red", 2L));
    var bin = two.binning();
    assertThat(
            new int[] {
              bin.applyAsInt(0), bin.applyAsInt(-0.0), bin.applyAsInt(2.5), bin.applyAsInt(7)
            })
        .containsExactly(0, 0, 1, 3);
    assertThat(two.counts()).containsExactly(5, 1, 2, 0);
    assertThat(two.labels()).containsExactly("0", "2.5", "red", "other");
    assertThat(colour.binning().applyAsInt(1.0)).isZero();
  }

  static Map<String, Long> orderedOf(Object... keysAndCounts) {
    Map<String, Long> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndCounts.length; i += 2) {
      map.put((String) keysAndCounts[i], (Long) keysAndCounts[i + 1]);
    }
    return map;
  }
}
