package dev.modelops.runtime.drift;

import java.util.List;

/** Training data as the baseline command reads it: named columns of numbers or of text. */
interface InputTable {

  List<String> columns();

  /** A column's values as numbers; a missing value is NaN. */
  double[] numbers(String column) throws InvalidInputException;

  /** A column's values as text ("2" for the number 2.0); a missing value is "". */
  List<String> texts(String column);

  /** Input data the baseline command cannot read, and where. */
  final class InvalidInputException extends Exception {
    InvalidInputException(String message) {
      super(message);
    }
  }
}
