package dev.modelops.runtime.drift;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code baseline --input FILE --output FILE [...]}: describes training data as a baseline file
 * (see docs/drift-and-retraining.md). Exit 0 with the file written, 1 when the data cannot be read
 * or described (the reason on stderr), 2 for wrong usage. Progress and a summary go to stderr.
 */
public final class BaselineCommand {

  static final String USAGE =
      "usage: baseline --input <data.csv|data.npy> --output <baseline.json> [--features a,b,c]"
          + " [--bins N] [--categorical col,...] [--outputs COLUMN]";

  private static final Set<String> OPTIONS =
      Set.of("input", "output", "features", "bins", "categorical", "outputs");

  private BaselineCommand() {}

  public static int run(String[] args, PrintStream err) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : "";
      if (!OPTIONS.contains(name) || i + 1 >= args.length) {
        err.println("baseline: unexpected argument '" + args[i] + "'; " + USAGE);
        return 2;
      }
      options.put(name, args[++i]);
    }
    if (!options.containsKey("input") || !options.containsKey("output")) {
      err.println("baseline: --input and --output are required; " + USAGE);
      return 2;
    }
    int bins;
    try {
      bins = Integer.parseInt(options.getOrDefault("bins", "" + BaselineBuilder.DEFAULT_BINS));
    } catch (NumberFormatException e) {
      bins = 0;
    }
    if (bins < 1 || bins > 100) {
      err.println("baseline: --bins must be a whole number from 1 to 100; " + USAGE);
      return 2;
    }
    try {
      Baseline baseline = describe(options, bins, err);
      Path output = Path.of(options.get("output"));
      BaselineFile.write(baseline, output);
      err.printf(
          "baseline: wrote %s (%d features%s)%n",
          output,
          baseline.features().size(),
          baseline.outputs().map(o -> ", outputs from column '" + o.name() + "'").orElse(""));
      return 0;
    } catch (NoSuchFileException e) {
      err.println("baseline: no such file: " + e.getFile());
      return 1;
    } catch (IOException e) {
      err.println("baseline: " + e);
      return 1;
    } catch (InputTable.InvalidInputException | IllegalArgumentException e) {
      err.println("baseline: " + e.getMessage());
      return 1;
    }
  }

  private static Baseline describe(Map<String, String> options, int bins, PrintStream err)
      throws IOException, InputTable.InvalidInputException {
    Path input = Path.of(options.get("input"));
    Optional<List<String>> features = list(options.get("features"));
    Set<String> categorical =
        new LinkedHashSet<>(list(options.get("categorical")).orElse(List.of()));
    Optional<String> outputs = Optional.ofNullable(options.get("outputs"));
    InputTable table;
    List<String> chosen;
    if (input.getFileName().toString().endsWith(".npy")) {
      NpyTable npy = NpyTable.read(input);
      // An array has no header: --features names its columns.
      table = features.isPresent() ? npy.named(features.get()) : npy;
      chosen = new ArrayList<>(table.columns());
    } else if (Files.isDirectory(input)) {
      throw new InputTable.InvalidInputException(input + " is a directory");
    } else {
      table = CsvTable.read(input);
      chosen = new ArrayList<>(features.orElse(table.columns()));
    }
    outputs.ifPresent(chosen::remove);
    for (String name : concat(chosen, categorical, outputs)) {
      if (!table.columns().contains(name)) {
        throw new InputTable.InvalidInputException(
            "%s has no column '%s'; its columns are %s".formatted(input, name, table.columns()));
      }
    }
    err.printf(
        "baseline: %s: %d columns, %d features, %d bins per numeric feature%n",
        input, table.columns().size(), chosen.size(), bins);
    List<BaselineFeature> described = new ArrayList<>();
    for (String name : chosen) {
      BaselineFeature f = feature(table, name, categorical.contains(name), bins);
      err.println("  " + summary(f));
      described.add(f);
    }
    Optional<BaselineFeature> out = Optional.empty();
    if (outputs.isPresent()) {
      BaselineFeature o = feature(table, outputs.get(), categorical.contains(outputs.get()), bins);
      err.println("  outputs: " + summary(o));
      out = Optional.of(o);
    }
    return new Baseline(described, out);
  }

  private static BaselineFeature feature(
      InputTable table, String name, boolean categorical, int bins)
      throws InputTable.InvalidInputException {
    return categorical
        ? BaselineBuilder.categorical(name, table.texts(name))
        : BaselineBuilder.numeric(name, table.numbers(name), bins);
  }

  private static String summary(BaselineFeature feature) {
    return switch (feature) {
      case BaselineFeature.Numeric n ->
          "%s: numeric, %d values, mean %.4g, std %.4g, %d bins from %s to %s"
              .formatted(
                  n.name(),
                  n.count(),
                  n.mean(),
                  n.std(),
                  n.binCounts().length,
                  n.binEdges()[0],
                  n.binEdges()[n.binEdges().length - 1]);
      case BaselineFeature.Categorical c ->
          "%s: categorical, %d values, %d distinct"
              .formatted(
                  c.name(),
                  c.frequencies().values().stream().mapToLong(Long::longValue).sum(),
                  c.frequencies().size());
    };
  }

  private static Optional<List<String>> list(String value) {
    if (value == null) {
      return Optional.empty();
    }
    return Optional.of(
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
  }

  private static List<String> concat(List<String> a, Set<String> b, Optional<String> c) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    c.ifPresent(all::add);
    return all;
  }
}
