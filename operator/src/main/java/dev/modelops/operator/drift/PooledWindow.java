package dev.modelops.operator.drift;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The pods' windows added up, feature by feature: the scores of the sum are those of one window
 * holding every pod's samples. Pods that counted over other bins (another baseline, during its
 * rolling update) cannot be added: the largest group of pods that agree is kept, the others are
 * left out and named.
 *
 * @param pods the pods added up
 * @param leftOut a sentence per pod left out, saying why
 */
public record PooledWindow(
    List<PodDriftReport.Feature> features, List<String> pods, List<String> leftOut) {

  public static PooledWindow of(List<PodDriftReport> reports) {
    List<String> leftOut = new ArrayList<>();
    List<PodDriftReport> usable = new ArrayList<>();
    for (PodDriftReport r :
        reports.stream().sorted(Comparator.comparing(PodDriftReport::pod)).toList()) {
      if (!r.enabled()) {
        leftOut.add("pod %s: %s".formatted(r.pod(), orElse(r.reason(), "drift is off")));
      } else if (r.features().isEmpty()) {
        leftOut.add(
            "pod %s: %s".formatted(r.pod(), orElse(r.reason(), "no input features recorded")));
      } else {
        usable.add(r);
      }
    }
    if (usable.isEmpty()) {
      return new PooledWindow(List.of(), List.of(), leftOut);
    }
    // The reference: the report most others agree with, the first by pod name on a tie.
    PodDriftReport reference = usable.get(0);
    long agreeing = 0;
    for (PodDriftReport r : usable) {
      long n = usable.stream().filter(r::sameBins).count();
      if (n > agreeing) {
        reference = r;
        agreeing = n;
      }
    }
    List<PodDriftReport.Feature> sum = new ArrayList<>(reference.features());
    List<String> pods = new ArrayList<>();
    for (PodDriftReport r : usable) {
      if (!r.sameBins(reference)) {
        leftOut.add(
            "pod %s: its bins differ from pod %s's (another baseline?)"
                .formatted(r.pod(), reference.pod()));
        continue;
      }
      if (r != reference) {
        for (int i = 0; i < sum.size(); i++) {
          sum.set(i, sum.get(i).plus(r.features().get(i)));
        }
      }
      pods.add(r.pod());
    }
    return new PooledWindow(sum, pods, leftOut);
  }

  private static String orElse(String s, String other) {
    return s == null || s.isBlank() ? other : s;
  }
}
