package dev.modelops.runtime.inference;

/** A model input or output as the metadata endpoint shows it: -1 marks a free dimension. */
public record TensorSpec(String name, Datatype datatype, long[] shape) {

  /** Whether the first dimension is free, which dynamic batching needs. */
  public boolean hasBatchDimension() {
    return shape.length > 0 && shape[0] == -1;
  }
}
