package dev.modelops.runtime.drift;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The baseline file's JSON: {@code {"formatVersion": 1, "features": [...], "outputs": {...}}}.
 * Reading checks every field and names the one that is wrong ({@code features[2].binEdges: ...}).
 */
public final class BaselineFile {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private BaselineFile() {}

  /** A baseline file that cannot be used, and why. */
  public static final class InvalidBaselineException extends Exception {
    public InvalidBaselineException(String message) {
      super(message);
    }
  }

  public static Baseline read(Path file) throws IOException, InvalidBaselineException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new InvalidBaselineException(
          "%s is not JSON: %s".formatted(file, e.getOriginalMessage()));
    }
    try {
      return parse(root);
    } catch (InvalidBaselineException e) {
      throw new InvalidBaselineException(file + ": " + e.getMessage());
    }
  }

  static Baseline parse(JsonNode root) throws InvalidBaselineException {
    if (root == null || !root.isObject()) {
      throw new InvalidBaselineException("the baseline must be a JSON object");
    }
    JsonNode version = root.get("formatVersion");
    if (version == null || !version.isInt()) {
      throw new InvalidBaselineException("formatVersion: required, an integer");
    }
    if (version.intValue() != Baseline.FORMAT_VERSION) {
      throw new InvalidBaselineException(
          "formatVersion: %d is not known; this runtime reads version %d"
              .formatted(version.intValue(), Baseline.FORMAT_VERSION));
    }
    JsonNode features = root.get("features");
    if (features == null || !features.isArray() || features.isEmpty()) {
      throw new InvalidBaselineException("features: required, a non-empty array");
    }
    List<BaselineFeature> parsed = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < features.size(); i++) {
      BaselineFeature f = feature(features.get(i), "features[" + i + "]");
      if (!names.add(f.name())) {
        throw new InvalidBaselineException(
            "features[%d].name: '%s' is used twice".formatted(i, f.name()));
      }
      parsed.add(f);
    }
    JsonNode outputs = root.get("outputs");
    Optional<BaselineFeature> out =
        outputs == null || outputs.isNull()
            ? Optional.empty()
            : Optional.of(feature(outputs, "outputs"));
    return new Baseline(parsed, out);
  }

  private static BaselineFeature feature(JsonNode node, String at) throws InvalidBaselineException {
    if (!node.isObject()) {
      throw new InvalidBaselineException(at + ": must be an object");
    }
    String name = text(node, at, "name");
    String type = text(node, at, "type");
    return switch (type) {
      case "numeric" -> numeric(node, at, name);
      case "categorical" -> categorical(node, at, name);
      default ->
          throw new InvalidBaselineException(
              "%s.type: '%s' is not numeric or categorical".formatted(at, type));
    };
  }

  private static BaselineFeature.Numeric numeric(JsonNode node, String at, String name)
      throws InvalidBaselineException {
    JsonNode edges = array(node, at, "binEdges");
    JsonNode counts = array(node, at, "binCounts");
    if (edges.size() < 2) {
      throw new InvalidBaselineException(at + ".binEdges: needs at least 2 edges (one bin)");
    }
    if (counts.size() != edges.size() - 1) {
      throw new InvalidBaselineException(
          "%s.binCounts: has %d counts for %d edges; k+1 edges need k counts"
              .formatted(at, counts.size(), edges.size()));
    }
    double[] e = new double[edges.size()];
    for (int i = 0; i < e.length; i++) {
      if (!edges.get(i).isNumber() || !Double.isFinite(edges.get(i).doubleValue())) {
        throw new InvalidBaselineException(
            "%s.binEdges[%d]: must be a finite number".formatted(at, i));
      }
      e[i] = edges.get(i).doubleValue();
      if (i > 0 && e[i] <= e[i - 1]) {
        throw new InvalidBaselineException(
            "%s.binEdges: must ascend strictly; %s follows %s".formatted(at, e[i], e[i - 1]));
      }
    }
    long[] c = new long[counts.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = count(counts.get(i), "%s.binCounts[%d]".formatted(at, i));
    }
    return new BaselineFeature.Numeric(
        name,
        count(required(node, at, "count"), at + ".count"),
        number(node, at, "mean"),
        number(node, at, "std"),
        e,
        c);
  }

  private static BaselineFeature.Categorical categorical(JsonNode node, String at, String name)
      throws InvalidBaselineException {
    JsonNode frequencies = required(node, at, "frequencies");
    if (!frequencies.isObject() || frequencies.isEmpty()) {
      throw new InvalidBaselineException(
          at + ".frequencies: must be a non-empty object of value: count");
    }
    Map<String, Long> map = new LinkedHashMap<>();
    for (var entry : frequencies.properties()) {
      map.put(
          entry.getKey(),
          count(entry.getValue(), "%s.frequencies['%s']".formatted(at, entry.getKey())));
    }
    return new BaselineFeature.Categorical(name, map);
  }

  private static JsonNode required(JsonNode node, String at, String field)
      throws InvalidBaselineException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new InvalidBaselineException("%s.%s: required".formatted(at, field));
    }
    return value;
  }

  private static String text(JsonNode node, String at, String field)
      throws InvalidBaselineException {
    JsonNode value = required(node, at, field);
    if (!value.isTextual() || value.textValue().isEmpty()) {
      throw new InvalidBaselineException("%s.%s: must be a non-empty string".formatted(at, field));
    }
    return value.textValue();
  }

  private static JsonNode array(JsonNode node, String at, String field)
      throws InvalidBaselineException {
    JsonNode value = required(node, at, field);
    if (!value.isArray()) {
      throw new InvalidBaselineException("%s.%s: must be an array".formatted(at, field));
    }
    return value;
  }

  private static double number(JsonNode node, String at, String field)
      throws InvalidBaselineException {
    JsonNode value = required(node, at, field);
    if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
      throw new InvalidBaselineException("%s.%s: must be a finite number".formatted(at, field));
    }
    return value.doubleValue();
  }

  private static long count(JsonNode value, String at) throws InvalidBaselineException {
    if (!value.canConvertToLong() || !value.isIntegralNumber() || value.longValue() < 0) {
      throw new InvalidBaselineException(at + ": must be a count, an integer from 0");
    }
    return value.longValue();
  }

  public static void write(Baseline baseline, Path file) throws IOException {
    Files.write(file, JSON.writeValueAsBytes(toJson(baseline)));
  }

  static ObjectNode toJson(Baseline baseline) {
    ObjectNode root = JSON.createObjectNode();
    root.put("formatVersion", Baseline.FORMAT_VERSION);
    ArrayNode features = root.putArray("features");
    baseline.features().forEach(f -> features.add(toJson(f)));
    baseline.outputs().ifPresent(o -> root.set("outputs", toJson(o)));
    return root;
  }

  private static ObjectNode toJson(BaselineFeature feature) {
    ObjectNode node = JSON.createObjectNode();
    node.put("name", feature.name());
    switch (feature) {
      case BaselineFeature.Numeric n -> {
        node.put("type", "numeric");
        node.put("count", n.count());
        node.put("mean", n.mean());
        node.put("std", n.std());
        ArrayNode edges = node.putArray("binEdges");
        for (double e : n.binEdges()) {
          edges.add(e);
        }
        ArrayNode counts = node.putArray("binCounts");
        for (long c : n.binCounts()) {
          counts.add(c);
        }
      }
      case BaselineFeature.Categorical c -> {
        node.put("type", "categorical");
        ObjectNode frequencies = node.putObject("frequencies");
        c.frequencies().forEach(frequencies::put);
      }
    }
    return node;
  }
}
