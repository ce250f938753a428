package dev.modelops.runtime.inference;

/**
 * A model input or output as the metadata endpoint shows it: -1 marks a free dimension. {@code
 * firstDimName} is the symbolic name of the first dimension in the model ("" when it has none),
 * which tells whether free first dimensions are the same batch dimension.
 */
public record TensorSpec(String name, Datatype datatype, long[] shape, String firstDimName) {

  public TensorSpec(String name, Datatype datatype, long[] shape) {
    this(name, datatype, shape, "");
  }

  /** Whether the first dimension is free, which dynamic batching needs. */
  public boolean hasBatchDimension() {
    return shape.length > 0 && shape[0] == -1;
  }
}
