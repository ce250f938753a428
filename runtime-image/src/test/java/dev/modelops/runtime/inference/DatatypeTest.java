package dev.modelops.runtime.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxJavaType;
import org.junit.jupiter.api.Test;

/** The V2 datatype names and ONNX Runtime types map both ways, and nothing else is taken. */
class DatatypeTest {

  @Test
  void everyNameParsesToItselfAndNothingElseParses() {
    for (Datatype d : Datatype.values()) {
      assertThat(Datatype.parse(d.name())).contains(d);
    }
    assertThat(Datatype.parse("fp32")).isEmpty();
    assertThat(Datatype.parse("FLOAT")).isEmpty();
    assertThat(Datatype.parse("")).isEmpty();
    assertThat(Datatype.parse(null)).isEmpty();
  }

  @Test
  void onnxTypesMapToTheirDatatypeAndUnservedOnesToNone() {
    for (Datatype d : Datatype.values()) {
      if (d.ort != OnnxJavaType.UNKNOWN) {
        assertThat(Datatype.of(d.ort)).contains(d);
      }
    }
    assertThat(Datatype.of(OnnxJavaType.UNKNOWN)).isEmpty();
    assertThat(Datatype.of(null)).isEmpty();
  }
}
