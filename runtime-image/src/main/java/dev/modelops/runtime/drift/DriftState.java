package dev.modelops.runtime.drift;

import dev.modelops.drift.DriftScores;
import java.util.List;
import java.util.Optional;

/**
 * The windows as they were at the last update: what the report and the gauges show. Immutable; the
 * windows' thread publishes a new one after each batch of rows.
 *
 * @param rows rows recorded in the input window (at most the window's size)
 */
public record DriftState(
    long rows,
    long dropped,
    List<Window> features,
    Optional<DriftScores> overall,
    Optional<Window> outputs) {

  /**
   * One feature's (or the output's) window: its counts over the baseline's bins, and its scores
   * once the window is full.
   */
  public record Window(
      BaselineFeature feature,
      long samples,
      boolean full,
      long[] counts,
      Optional<DriftScores> scores) {}

  static final DriftState EMPTY =
      new DriftState(0, 0, List.of(), Optional.empty(), Optional.empty());
}
