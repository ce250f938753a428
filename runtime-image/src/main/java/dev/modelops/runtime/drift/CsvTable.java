package dev.modelops.runtime.drift;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV file with a header row (RFC 4180: commas, double quotes around fields that hold them).
 * Empty cells, NA and NaN are missing values.
 */
final class CsvTable implements InputTable {

  private final Path file;
  private final List<String> header;
  private final List<String[]> rows;

  private CsvTable(Path file, List<String> header, List<String[]> rows) {
    this.file = file;
    this.header = header;
    this.rows = rows;
  }

  static CsvTable read(Path file) throws IOException, InvalidInputException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new InvalidInputException(file + " is empty; a CSV file starts with a header row");
    }
    List<String> header = List.of(fields(lines.get(0), file, 1));
    List<String[]> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      String[] row = fields(lines.get(i), file, i + 1);
      if (row.length != header.size()) {
        throw new InvalidInputException(
            "%s line %d has %d fields; the header has %d"
                .formatted(file, i + 1, row.length, header.size()));
      }
      rows.add(row);
    }
    if (rows.isEmpty()) {
      throw new InvalidInputException(file + " has a header and no rows");
    }
    return new CsvTable(file, header, rows);
  }

  private static String[] fields(String line, Path file, int lineNumber)
      throws InvalidInputException {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(field.toString().trim());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new InvalidInputException(
          "%s line %d: a quoted field is not closed".formatted(file, lineNumber));
    }
    out.add(field.toString().trim());
    return out.toArray(new String[0]);
  }

  @Override
  public List<String> columns() {
    return header;
  }

  @Override
  public double[] numbers(String column) throws InvalidInputException {
    int c = header.indexOf(column);
    double[] values = new double[rows.size()];
    for (int r = 0; r < values.length; r++) {
      String cell = rows.get(r)[c];
      if (cell.isEmpty() || cell.equalsIgnoreCase("NA") || cell.equalsIgnoreCase("NaN")) {
        values[r] = Double.NaN;
        continue;
      }
      try {
        values[r] = Double.parseDouble(cell);
      } catch (NumberFormatException e) {
        throw new InvalidInputException(
            "%s line %d, column '%s': '%s' is not a number (list the column in --categorical)"
                .formatted(file, r + 2, column, cell));
      }
    }
    return values;
  }

  @Override
  public List<String> texts(String column) {
    int c = header.indexOf(column);
    return rows.stream().map(row -> row[c]).toList();
  }
}
