package dev.modelops.operator.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelops.operator.retraining.RetrainingReport.Parsed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every way a termination message can fail to be a report, and the one way it is. */
class RetrainingReportTest {

  static final String SHA = "0123456789abcdef".repeat(4);

  static String report(String uri, String sha, String version) {
    return "{\"uri\":\"%s\",\"sha256\":\"%s\",\"version\":\"%s\"}".formatted(uri, sha, version);
  }

  @Test
  void aValidReportIsRead() {
    Parsed p = RetrainingReport.parse(report("http://models.example/m/2.onnx", SHA, "2"));
    assertThat(p)
        .isEqualTo(
            new Parsed.Valid(new RetrainingReport("http://models.example/m/2.onnx", SHA, "2")));
    assertThat(RetrainingReport.parse(report("pvc://models/m/2.onnx", SHA, "2-retrained")))
        .isInstanceOf(Parsed.Valid.class);
    assertThat(
            RetrainingReport.parse(
                "{\"uri\":\"https://h/m.onnx\",\"sha256\":\"%s\",\"version\":\"3\",\"extra\":1}"
                    .formatted(SHA)))
        .as("unknown fields are left for later versions of the contract")
        .isInstanceOf(Parsed.Valid.class);
  }

  @Test
  void aBaselineOfTheDataLearntIsReadAndCheckedLikeTheModel() {
    String withBaseline =
        "{\"uri\":\"pvc://data/models/2/model.onnx\",\"sha256\":\"%s\",\"version\":\"2\","
            + "\"baseline\":{\"uri\":\"%s\",\"sha256\":\"%s\"}}";
    Parsed p =
        RetrainingReport.parse(
            withBaseline.formatted(SHA, "pvc://data/models/2/baseline.json", "ab".repeat(32)));
    assertThat(p).isInstanceOf(Parsed.Valid.class);
    RetrainingReport report = ((Parsed.Valid) p).report();
    assertThat(report.baseline().map(b -> b.uri)).contains("pvc://data/models/2/baseline.json");
    assertThat(report.baseline().map(b -> b.sha256)).contains("ab".repeat(32));
    assertThat(
            ((Parsed.Valid) RetrainingReport.parse(report("http://h/m.onnx", SHA, "2")))
                .report()
                .baseline())
        .isEmpty();

    assertThat(RetrainingReport.parse(withBaseline.formatted(SHA, "s3://b/baseline.json", SHA)))
        .isEqualTo(
            new Parsed.Invalid(
                "baseline.uri: 's3://b/baseline.json' is not an http, https, pvc or file URI of at"
                    + " most 2048 characters"));
    assertThat(RetrainingReport.parse(withBaseline.formatted(SHA, "pvc://data/b.json", "ABC")))
        .isEqualTo(new Parsed.Invalid("baseline.sha256: 'ABC' is not 64 lowercase hex characters"));
    assertThat(
            RetrainingReport.parse(withBaseline.formatted(SHA, "pvc://data/../../etc/b.json", SHA)))
        .isInstanceOf(Parsed.Invalid.class);
    assertThat(
            RetrainingReport.parse(
                "{\"uri\":\"http://h/m.onnx\",\"sha256\":\"%s\",\"version\":\"2\",\"baseline\":\"b.json\"}"
                    .formatted(SHA)))
        .isEqualTo(
            new Parsed.Invalid("baseline: must be an object {\"uri\",\"sha256\"} of two strings"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|no termination message",
        "'   '|no termination message",
        "not json|is not JSON",
        "[1,2]|not a JSON object",
        "'\"a string\"'|not a JSON object",
        "{}|uri: required",
        "'{\"uri\":\"http://h/m.onnx\",\"version\":\"1\"}'|sha256: required",
        "'{\"uri\":\"http://h/m.onnx\",\"sha256\":null,\"version\":\"1\"}'|sha256: required",
        "'{\"uri\":7,\"sha256\":\"x\",\"version\":\"1\"}'|uri: must be a string",
      })
  void malformedMessagesSayWhatIsWrong(String message, String problem) {
    assertThat(RetrainingReport.parse(message))
        .isInstanceOfSatisfying(
            Parsed.Invalid.class, i -> assertThat(i.problem()).contains(problem));
  }

  @Test
  void theUriSchemeIsOneAModelMayHave() {
    assertThat(RetrainingReport.parse(report("s3://bucket/m.onnx", SHA, "2")))
        .isInstanceOfSatisfying(
            Parsed.Invalid.class,
            i -> assertThat(i.problem()).contains("uri:").contains("s3://bucket/m.onnx"));
    assertThat(RetrainingReport.parse(report("s3://bob:pw@bucket/m.onnx?sig=tok3n", SHA, "2")))
        .as("the problem, shown in status and an Event, quotes no credential")
        .isInstanceOfSatisfying(
            Parsed.Invalid.class,
            i ->
                assertThat(i.problem())
                    .contains("s3://***@bucket/m.onnx?***")
                    .doesNotContain("tok3n", "pw@"));
    assertThat(RetrainingReport.parse(report("/models/m.onnx", SHA, "2")))
        .isInstanceOf(Parsed.Invalid.class);
    assertThat(RetrainingReport.parse(report("pvc://claim", SHA, "2")))
        .isInstanceOfSatisfying(
            Parsed.Invalid.class, i -> assertThat(i.problem()).contains("claim and a file"));
    assertThat(RetrainingReport.parse(report("pvc://claim/../etc/passwd", SHA, "2")))
        .isInstanceOfSatisfying(
            Parsed.Invalid.class, i -> assertThat(i.problem()).contains("'..'"));
  }

  @Test
  void theDigestIsSixtyFourLowercaseHexCharacters() {
    for (String bad :
        new String[] {SHA.toUpperCase(), SHA.substring(1), SHA + "0", "g" + SHA.substring(1)}) {
      assertThat(RetrainingReport.parse(report("http://h/m.onnx", bad, "2")))
          .as(bad)
          .isInstanceOfSatisfying(
              Parsed.Invalid.class, i -> assertThat(i.problem()).startsWith("sha256:"));
    }
  }

  @Test
  void theVersionIsNotEmptyAndFitsSpecModelVersion() {
    assertThat(RetrainingReport.parse(report("http://h/m.onnx", SHA, "")))
        .isInstanceOfSatisfying(
            Parsed.Invalid.class, i -> assertThat(i.problem()).startsWith("version:"));
    assertThat(RetrainingReport.parse(report("http://h/m.onnx", SHA, "v".repeat(64))))
        .isInstanceOf(Parsed.Invalid.class);
    assertThat(RetrainingReport.parse(report("http://h/m.onnx", SHA, "v".repeat(63))))
        .isInstanceOf(Parsed.Valid.class);
    for (String notALabel : new String[] {"v1+x", "-1", "1-", "1 retrained", "1/2"}) {
      assertThat(RetrainingReport.parse(report("http://h/m.onnx", SHA, notALabel)))
          .as(notALabel)
          .isInstanceOfSatisfying(
              Parsed.Invalid.class,
              i ->
                  assertThat(i.problem())
                      .startsWith("version: '" + notALabel + "' is not a label"));
    }
    assertThat(RetrainingReport.parse(report("http://h/m.onnx", SHA, "1-retrained-20261202.a_b")))
        .isInstanceOf(Parsed.Valid.class);
  }

  @Test
  void aMessageOverFourKibibytesIsRefusedBeforeItIsParsed() {
    String padded =
        "{\"uri\":\"http://h/m.onnx\",\"sha256\":\"%s\",\"version\":\"2\",\"pad\":\"%s\"}"
            .formatted(SHA, "x".repeat(4096));
    assertThat(RetrainingReport.parse(padded))
        .isInstanceOfSatisfying(
            Parsed.Invalid.class, i -> assertThat(i.problem()).contains("at most 4096"));
    // Bytes, not characters: 2,000 two-byte characters are 4,000 bytes plus the JSON around them.
    String wide =
        "{\"uri\":\"http://h/m.onnx\",\"sha256\":\"%s\",\"version\":\"2\",\"pad\":\"%s\"}"
            .formatted(SHA, "é".repeat(2040));
    assertThat(wide.length()).isLessThan(4096);
    assertThat(RetrainingReport.parse(wide)).isInstanceOf(Parsed.Invalid.class);
  }
}
