package dev.modelops.e2e;

/**
 * Where the long classes go in the class order ({@code @Order}, junit-platform.properties). JUnit
 * forks the classes in that order for its two threads and then joins them in reverse: the joining
 * thread runs them from the back, the other steals them from the front. So the longest classes go
 * to both ends, by turns (longest first), and both threads start with them, the short ones filling
 * in where they meet. Classes without an order sit in the middle: there the long ones used to run
 * last, with one thread idle at the end. Times are a fresh-clone run's class times (2026-12-02).
 */
public final class Schedule {

  private Schedule() {}

  /** DemoTest, about 450 s with the other thread busy. */
  public static final int FRONT_1 = 1;

  /** CanaryAnalysisTest, about 370 s. */
  public static final int FRONT_2 = 2;

  /** RetrainingTest, about 230 s. */
  public static final int FRONT_3 = 3;

  /** OperatorSigkillTest, about 120 s (runs alone on a busy machine, not a fresh-clone run). */
  public static final int FRONT_4 = 4;

  /**
   * ModelDeploymentServingTest, about 80 s before its test of objects edited by hand (about 50 s
   * more; 153 s in one run beside IdleResyncTest).
   */
  public static final int FRONT_5 = 5;

  /** ChartRenderTest, about 80 s. */
  public static final int FRONT_6 = 6;

  /** CanaryRolloutTest, about 380 s. */
  public static final int BACK_1 = Integer.MAX_VALUE;

  /** RealNodeServingTest, about 360 s. */
  public static final int BACK_2 = Integer.MAX_VALUE - 1;

  /** ApiServerOutageTest, about 170 s. */
  public static final int BACK_3 = Integer.MAX_VALUE - 2;

  /** DriftDetectionTest, about 80 s. */
  public static final int BACK_4 = Integer.MAX_VALUE - 3;

  /** ChartInstallTest, about 70 s. */
  public static final int BACK_5 = Integer.MAX_VALUE - 4;
}
