package dev.modelops.operator.drift;

import java.util.List;

/**
 * What one evaluation read: the drift reports of the serving revision's ready pods.
 *
 * @param revision the revision read (the stable one), 0 when there is none yet
 * @param hasBaseline whether spec.model.baseline is set (without it nothing is read)
 * @param readyPods the ready pods asked
 * @param unreadable a sentence per pod that did not answer with a report
 */
public record DriftReading(
    int revision,
    boolean hasBaseline,
    int readyPods,
    List<PodDriftReport> reports,
    List<String> unreadable) {

  public DriftReading {
    reports = List.copyOf(reports);
    unreadable = List.copyOf(unreadable);
  }
}
