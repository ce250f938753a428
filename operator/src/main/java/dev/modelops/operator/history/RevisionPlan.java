package dev.modelops.operator.history;

import dev.modelops.operator.api.v1alpha1.BaselineSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which revision the current spec is, and which revisions to keep: a pure decision from the kept
 * history and the spec, so every part of a reconcile reaches the same answer.
 *
 * <p>The newest revision is the one to roll out (as a Deployment's newest ReplicaSet is). A spec
 * that goes back to an older revision makes it the newest again, under a new number; a spec that
 * goes back to the stable revision supersedes the newer ones instead. A revision with an outcome
 * (failed, rolled back from, superseded) stays where it is until asked for by number.
 *
 * @param latest the revision the spec describes
 * @param latestIsNew whether it is made by this reconcile
 * @param kept the revisions to keep, oldest first
 * @param highestNumber the highest number in use, kept or not (a ControllerRevision set aside
 *     because its data could not be read holds its number): new revisions are numbered past it
 */
public record RevisionPlan(
    Revision latest, boolean latestIsNew, List<Revision> kept, int highestNumber) {

  /** A plan whose highest number is its newest kept revision's. */
  public RevisionPlan(Revision latest, boolean latestIsNew, List<Revision> kept) {
    this(latest, latestIsNew, kept, kept.stream().mapToInt(Revision::number).max().orElse(0));
  }

  public static RevisionPlan decide(
      List<Revision> history,
      RevisionTemplate current,
      int historyLimit,
      Optional<Integer> stable) {
    return decide(history, current, historyLimit, stable, 0);
  }

  /**
   * As above, numbering a new revision past {@code highestNumber} too: the number of a
   * ControllerRevision that is not in {@code history} (its data could not be read) is not used
   * again.
   */
  public static RevisionPlan decide(
      List<Revision> history,
      RevisionTemplate current,
      int historyLimit,
      Optional<Integer> stable,
      int highestNumber) {
    String hash = current.hash();
    List<Revision> sorted = new ArrayList<>(history);
    sorted.sort(Comparator.comparingInt(Revision::number));
    int newestKept = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1).number();
    int newest = Math.max(newestKept, highestNumber);
    Optional<Revision> existing =
        sorted.stream().filter(r -> r.hash().equals(hash)).reduce((a, b) -> b);
    Revision latest;
    if (existing.isEmpty()) {
      latest = new Revision(newest + 1, hash, current, "Spec", null);
      sorted.add(latest);
    } else if (existing.get().number() == newestKept
        || existing.get().marked()
        || onlyRetrainedSince(sorted, existing.get())) {
      // A retrained revision grew from the spec's revision: the spec did not change.
      latest = existing.get();
    } else if (stable.map(s -> s == existing.get().number()).orElse(false)) {
      latest = existing.get();
      Revision.Outcome superseded =
          new Revision.Outcome(
              Revision.Outcome.SUPERSEDED,
              "SpecReverted",
              "the spec went back to revision %d".formatted(latest.number()));
      sorted.replaceAll(
          r -> r.number() > latest.number() && !r.marked() ? r.marked(superseded) : r);
    } else {
      latest = existing.get().renumbered(newest + 1, existing.get().source());
      sorted.remove(existing.get());
      sorted.add(latest);
    }
    List<Revision> kept = trim(sorted, historyLimit, latest, stable);
    return new RevisionPlan(latest, existing.isEmpty(), kept, Math.max(newest, latest.number()));
  }

  /** Whether every revision newer than {@code r} came from a retraining Job, not from the spec. */
  static boolean onlyRetrainedSince(List<Revision> sorted, Revision r) {
    return sorted.stream()
        .filter(o -> o.number() > r.number())
        .allMatch(o -> Revision.RETRAINING.equals(o.source()));
  }

  /**
   * A revision made by a retraining Job added as the newest: the decider rolls it out, unless it
   * carries an outcome (recorded only).
   */
  public RevisionPlan withRetrained(Revision retrained) {
    List<Revision> more = new ArrayList<>(kept);
    more.add(retrained);
    return new RevisionPlan(
        latest, latestIsNew, List.copyOf(more), Math.max(highestNumber, retrained.number()));
  }

  /** The newest {@code limit} revisions, and always the spec's and the stable one. */
  static List<Revision> trim(
      List<Revision> sorted, int historyLimit, Revision latest, Optional<Integer> stable) {
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
    return List.copyOf(kept);
  }

  /**
   * The spec's baseline given to the spec's revision (the others keep theirs): a new baseline is no
   * new revision, its pods are replaced with ones that fetch it.
   */
  public RevisionPlan withBaseline(Optional<BaselineSource> baseline) {
    Revision withIt = latest.withBaseline(baseline);
    List<Revision> replaced =
        kept.stream().map(r -> r.number() == latest.number() ? withIt : r).toList();
    return new RevisionPlan(withIt, latestIsNew, replaced, highestNumber);
  }

  public Optional<Revision> find(int number) {
    return kept.stream().filter(r -> r.number() == number).findFirst();
  }

  /** The revision with the highest number: the one to roll out unless it has an outcome. */
  public Revision newest() {
    return kept.get(kept.size() - 1);
  }
}
