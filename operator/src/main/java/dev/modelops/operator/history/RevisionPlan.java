package dev.modelops.operator.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which revision the current spec is, and which revisions to keep: a pure decision from the kept
 * history and the spec, so every part of a reconcile reaches the same answer.
 */
public record RevisionPlan(Revision latest, boolean latestIsNew, List<Revision> kept) {

  public static RevisionPlan decide(
      List<Revision> history,
      RevisionTemplate current,
      int historyLimit,
      Optional<Integer> stable) {
    String hash = current.hash();
    List<Revision> sorted = new ArrayList<>(history);
    sorted.sort(Comparator.comparingInt(Revision::number));
    Optional<Revision> existing =
        sorted.stream().filter(r -> r.hash().equals(hash)).reduce((a, b) -> b);
    Revision latest =
        existing.orElseGet(
            () -> {
              int next = sorted.isEmpty() ? 1 : sorted.get(sorted.size() - 1).number() + 1;
              return new Revision(next, hash, current, "Spec", null);
            });
    if (existing.isEmpty()) {
      sorted.add(latest);
    }
    List<Revision> kept = new ArrayList<>();
    int limit = Math.max(1, historyLimit);
    for (int i = sorted.size() - 1; i >= 0; i--) {
      Revision r = sorted.get(i);
      boolean protectedRevision =
          r.number() == latest.number() || stable.map(s -> s == r.number()).orElse(false);
      if (kept.size() < limit || protectedRevision) {
        kept.add(0, r);
      }
    }
    return new RevisionPlan(latest, existing.isEmpty(), List.copyOf(kept));
  }

  public Optional<Revision> find(int number) {
    return kept.stream().filter(r -> r.number() == number).findFirst();
  }
}
