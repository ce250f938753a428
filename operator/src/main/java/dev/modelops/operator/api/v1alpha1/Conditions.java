package dev.modelops.operator.api.v1alpha1;

/** Condition types and the reasons a program can switch on. */
public final class Conditions {

  public static final String AVAILABLE = "Available";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  public static final String DRIFT_DETECTED = "DriftDetected";
  public static final String RETRAINING = "Retraining";

  /** Reasons, one CamelCase word each. */
  public static final class Reason {
    public static final String AS_EXPECTED = "AsExpected";
    public static final String MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable";
    public static final String MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable";
    public static final String SCALED_TO_ZERO = "ScaledToZero";
    public static final String ROLLING_OUT = "RollingOut";
    public static final String ROLLOUT_COMPLETE = "RolloutComplete";
    public static final String INSUFFICIENT_GPU = "InsufficientGPU";
    public static final String UNSCHEDULABLE = "Unschedulable";
    public static final String MODEL_FETCH_FAILED = "ModelFetchFailed";
    public static final String CHECKSUM_MISMATCH = "ChecksumMismatch";
    public static final String IMAGE_PULL_FAILED = "ImagePullFailed";
    public static final String CONTAINER_CONFIG_ERROR = "ContainerConfigError";
    public static final String CRASH_LOOPING = "CrashLooping";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String NOT_EVALUATED = "NotEvaluated";
    public static final String CANARY_STEP = "CanaryStep";
    public static final String PAUSED = "Paused";
    public static final String PROMOTING = "Promoting";
    public static final String ROLLED_BACK = "RolledBack";
    public static final String ANALYSIS_FAILED = "AnalysisFailed";
    public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
    public static final String DRIFT_DETECTED = "DriftDetected";
    public static final String NO_DRIFT = "NoDrift";
    public static final String COLLECTING = "Collecting";
    public static final String NO_BASELINE = "NoBaseline";
    public static final String DRIFT_UNAVAILABLE = "DriftUnavailable";
    public static final String IDLE = "Idle";
    public static final String JOB_RUNNING = "JobRunning";
    public static final String JOB_FAILED = "JobFailed";
    public static final String SUCCEEDED = "Succeeded";
    public static final String INVALID_REPORT = "InvalidReport";
    public static final String COOLING_DOWN = "CoolingDown";
    public static final String REVISION_FAILED = "RevisionFailed";
    public static final String WAITING_FOR_ROLLOUT = "WaitingForRollout";

    private Reason() {}
  }

  private Conditions() {}
}
