package dev.modelops.operator.history;

import dev.modelops.operator.api.v1alpha1.BaselineSource;
import java.util.Optional;

/**
 * A numbered revision of a ModelDeployment, as kept in its ControllerRevision.
 *
 * @param source what made it: Spec, Retraining or Rollback
 * @param outcome why it is not to be served again, if so: kept in the ControllerRevision, so it
 *     outlives a lost status
 * @param baseline the drift baseline its pods fetch: not part of {@link #hash()}, so a new one
 *     makes no new revision; kept in an annotation of the ControllerRevision, which can change
 */
public record Revision(
    int number,
    String hash,
    RevisionTemplate template,
    String source,
    String createdAt,
    Optional<Outcome> outcome,
    Optional<BaselineSource> baseline) {

  public static final String SPEC = "Spec";
  public static final String RETRAINING = "Retraining";
  public static final String ROLLBACK = "Rollback";

  /** Every source a revision can have. */
  public static final java.util.Set<String> SOURCES = java.util.Set.of(SPEC, RETRAINING, ROLLBACK);

  /** A revision with no outcome recorded and no baseline. */
  public Revision(int number, String hash, RevisionTemplate template, String source, String at) {
    this(number, hash, template, source, at, Optional.empty(), Optional.empty());
  }

  /**
   * Why a revision is not served again until someone asks for it by number.
   *
   * @param kind Failed, RolledBack, Superseded, or Recorded (a retrained model kept without a
   *     rollout, as spec.retraining.promote None asks)
   * @param reason a CamelCase word, for example AnalysisFailed or ProgressDeadlineExceeded
   * @param message a sentence with the numbers behind it
   */
  public record Outcome(String kind, String reason, String message) {
    public static final String FAILED = "Failed";
    public static final String ROLLED_BACK = "RolledBack";
    public static final String SUPERSEDED = "Superseded";
    public static final String RECORDED = "Recorded";

    /** Whether the revision was set aside by a decision, not by a failure or a rollback. */
    public boolean setAside() {
      return SUPERSEDED.equals(kind) || RECORDED.equals(kind);
    }
  }

  public boolean marked() {
    return outcome.isPresent();
  }

  public Revision renumbered(int newNumber, String newSource) {
    return new Revision(
        newNumber, hash, template, newSource, createdAt, Optional.empty(), baseline);
  }

  public Revision marked(Outcome o) {
    return new Revision(number, hash, template, source, createdAt, Optional.of(o), baseline);
  }

  public Revision withBaseline(Optional<BaselineSource> b) {
    return new Revision(number, hash, template, source, createdAt, outcome, b);
  }
}
