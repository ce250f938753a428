package dev.modelops.operator.retraining;

import dev.modelops.operator.api.v1alpha1.BaselineSource;
import dev.modelops.operator.api.v1alpha1.RetrainingSpec;
import dev.modelops.operator.api.v1alpha1.RetrainingStatus;
import dev.modelops.operator.history.Revision;
import dev.modelops.operator.history.RevisionTemplate;
import dev.modelops.operator.rollout.RolloutPlan;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything one retraining decision reads, read once per reconcile.
 *
 * @param spec spec.retraining
 * @param driftSince when DriftDetected last turned True, if it is True now (this reconcile's
 *     verdict)
 * @param driftMessage the DriftDetected condition's message, for the Job's Event
 * @param jobs this ModelDeployment's retraining Jobs as the API server has them
 * @param report the newest Job's termination message, read when {@link
 *     RetrainingDecider#reportWanted} said so ("" when its pods hold none)
 * @param recorded status.retraining as last written
 * @param recordedCondition the Retraining condition as last written
 * @param rolloutInProgress whether a revision is rolling out (status.canary)
 * @param stable the revision that serves, as status recorded it
 * @param template the spec's revision template, which a retrained model replaces the model of
 * @param baseline the spec's drift baseline, kept by the retrained revision
 * @param kept the revisions kept
 * @param highestNumber the highest revision number in use, kept or not (a ControllerRevision set
 *     aside holds its number): a new revision is numbered past it
 * @param jobPrefix the name of each Job before its sequence number
 * @param now the decision's clock
 */
public record RetrainingInputs(
    RetrainingSpec spec,
    Optional<Instant> driftSince,
    String driftMessage,
    List<ObservedJob> jobs,
    Optional<String> report,
    Optional<RetrainingStatus> recorded,
    Optional<RolloutPlan.Condition> recordedCondition,
    boolean rolloutInProgress,
    Optional<Integer> stable,
    RevisionTemplate template,
    Optional<BaselineSource> baseline,
    List<Revision> kept,
    int highestNumber,
    String jobPrefix,
    Instant now) {}
