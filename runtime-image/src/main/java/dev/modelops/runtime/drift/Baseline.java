package dev.modelops.runtime.drift;

import java.util.List;
import java.util.Optional;

/**
 * What a model's inputs looked like in training, feature by feature in the order of the input's
 * columns, and optionally its outputs (the predicted class or score): what drift is measured
 * against. Written by the {@code baseline} command, read from {@code MODELOPS_BASELINE}.
 */
public record Baseline(List<BaselineFeature> features, Optional<BaselineFeature> outputs) {

  /** The version of the file format this runtime reads and writes. */
  public static final int FORMAT_VERSION = 1;

  public Baseline {
    features = List.copyOf(features);
  }
}
