package dev.modelops.runtime.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.StreamSupport;

/** Reads the expected values the drift tests compare against. */
final class JsonFixtures {

  private JsonFixtures() {}

  static JsonNode read(String path) {
    try {
      return new ObjectMapper().readTree(Path.of(path).toFile());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static double[] doubles(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false)
        .mapToDouble(JsonNode::doubleValue)
        .toArray();
  }

  static long[] longs(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false)
        .mapToLong(JsonNode::longValue)
        .toArray();
  }
}
