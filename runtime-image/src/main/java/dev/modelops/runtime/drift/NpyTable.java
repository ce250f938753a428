package dev.modelops.runtime.drift;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A numpy {@code .npy} file (format versions 1 to 3) holding a 2-D array of little-endian float32
 * or float64, as {@code numpy.save} writes it: one column per feature, named by the caller.
 */
final class NpyTable implements InputTable {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private final List<String> names;
  private final double[][] columns;

  private NpyTable(List<String> names, double[][] columns) {
    this.names = names;
    this.columns = columns;
  }

  /** Reads the array; its columns are named {@code f0, f1, ...}. */
  static NpyTable read(Path file) throws IOException, InvalidInputException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    for (byte b : MAGIC) {
      if (bytes.remaining() == 0 || bytes.get() != b) {
        throw new InvalidInputException(file + " is not a .npy file (no \\x93NUMPY magic)");
      }
    }
    int major = bytes.get();
    bytes.get();
    int headerLength = major == 1 ? Short.toUnsignedInt(bytes.getShort()) : bytes.getInt();
    if (major < 1 || major > 3 || headerLength < 0 || headerLength > bytes.remaining()) {
      throw new InvalidInputException(file + ": a .npy header this reader does not know");
    }
    byte[] text = new byte[headerLength];
    bytes.get(text);
    String header =
        new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(DESCR, header, file, "descr");
    boolean fortran = group(FORTRAN, header, file, "fortran_order").equals("True");
    String shape = group(SHAPE, header, file, "shape").replace(" ", "");
    String[] dims = shape.split(",");
    if (dims.length != 2 || dims[1].isEmpty()) {
      throw new InvalidInputException(
          "%s: the array has shape (%s); a 2-D array (rows, features) is needed"
              .formatted(file, shape));
    }
    int rows = Integer.parseInt(dims[0]);
    int cols = Integer.parseInt(dims[1]);
    int size =
        switch (descr) {
          case "<f4" -> 4;
          case "<f8" -> 8;
          default ->
              throw new InvalidInputException(
                  "%s: the array's dtype is '%s'; float32 or float64, little-endian ('<f4',"
                          .formatted(file, descr)
                      + " '<f8') are read");
        };
    if ((long) rows * cols * size != bytes.remaining()) {
      throw new InvalidInputException(
          "%s: the header says %d x %d values of %d bytes, the file holds %d bytes of data"
              .formatted(file, rows, cols, size, bytes.remaining()));
    }
    double[][] columns = new double[cols][rows];
    int start = bytes.position();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        long element = fortran ? (long) c * rows + r : (long) r * cols + c;
        int at = (int) (start + element * size);
        columns[c][r] = size == 4 ? bytes.getFloat(at) : bytes.getDouble(at);
      }
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < cols; c++) {
      names.add("f" + c);
    }
    return new NpyTable(List.copyOf(names), columns);
  }

  private static String group(Pattern pattern, String header, Path file, String key)
      throws InvalidInputException {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw new InvalidInputException(file + ": the .npy header has no " + key);
    }
    return m.group(1);
  }

  /** The same data with the columns named, in order. */
  NpyTable named(List<String> newNames) throws InvalidInputException {
    if (newNames.size() != names.size()) {
      throw new InvalidInputException(
          "--features names %d features; the array has %d columns"
              .formatted(newNames.size(), names.size()));
    }
    return new NpyTable(List.copyOf(newNames), columns);
  }

  @Override
  public List<String> columns() {
    return names;
  }

  @Override
  public double[] numbers(String column) {
    return columns[names.indexOf(column)].clone();
  }

  @Override
  public List<String> texts(String column) {
    double[] values = columns[names.indexOf(column)];
    List<String> texts = new ArrayList<>(values.length);
    for (double v : values) {
      texts.add(Double.isNaN(v) ? "" : BaselineFeature.key(v));
    }
    return texts;
  }
}
