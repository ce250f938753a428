package dev.modelops.operator.history;

import java.util.Optional;

/**
 * A numbered revision of a ModelDeployment, as kept in its ControllerRevision.
 *
 * @param source what made it: Spec, Retraining or Rollback
 * @param outcome why it is not to be served again, if so: kept in the ControllerRevision, so it
 *     outlives a lost status
 */
public record Revision(
    int number,
    String hash,
    RevisionTemplate template,
    String source,
    String createdAt,
    Optional<Outcome> outcome) {

  /** A revision with no outcome recorded. */
  public Revision(int number, String hash, RevisionTemplate template, String source, String at) {
    this(number, hash, template, source, at, Optional.empty());
  }

  /**
   * Why a revision is not served again until someone asks for it by number.
   *
   * @param kind Failed, RolledBack or Superseded
   * @param reason a CamelCase word, for example AnalysisFailed or ProgressDeadlineExceeded
   * @param message a sentence with the numbers behind it
   */
  public record Outcome(String kind, String reason, String message) {
    public static final String FAILED = "Failed";
    public static final String ROLLED_BACK = "RolledBack";
    public static final String SUPERSEDED = "Superseded";
  }

  public boolean marked() {
    return outcome.isPresent();
  }

  public Revision renumbered(int newNumber, String newSource) {
    return new Revision(newNumber, hash, template, newSource, createdAt, Optional.empty());
  }

  public Revision marked(Outcome o) {
    return new Revision(number, hash, template, source, createdAt, Optional.of(o));
  }
}
