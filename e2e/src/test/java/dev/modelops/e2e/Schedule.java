package dev.modelops.e2e;

/**
 * Where the long classes go in the class order ({@code @Order}, junit-platform.properties). JUnit
 * forks the classes in that order for its threads and then joins them in reverse: the joining
 * thread runs them from the back, the others steal them from the front. So the longest classes go
 * to both ends, by turns (longest first), and every thread starts with one, the short ones filling
 * in where they meet. Classes without an order sit in the middle: there the long ones used to run
 * last, with a thread idle at the end. Times are from a fresh-clone run of ./test.sh, three classes
 * at once (2026-12-03, `afe6c76`).
 */
public final class Schedule {

  private Schedule() {}

  /** DemoTest, about 390 s. */
  public static final int FRONT_1 = 1;

  /** CanaryAnalysisTest, about 475 s. */
  public static final int FRONT_2 = 2;

  /** RetrainingTest, about 325 s. */
  public static final int FRONT_3 = 3;

  /** OperatorSigkillTest, about 85 s. */
  public static final int FRONT_4 = 4;

  /** ModelDeploymentServingTest, about 110 s. */
  public static final int FRONT_5 = 5;

  /** ChartRenderTest, under 10 s. */
  public static final int FRONT_6 = 6;

  /** CanaryRolloutTest, about 375 s. */
  public static final int BACK_1 = Integer.MAX_VALUE;

  /** RealNodeServingTest, about 330 s. */
  public static final int BACK_2 = Integer.MAX_VALUE - 1;

  /** ApiServerOutageTest, about 65 s. */
  public static final int BACK_3 = Integer.MAX_VALUE - 2;

  /** DriftDetectionTest, about 90 s. */
  public static final int BACK_4 = Integer.MAX_VALUE - 3;

  /** ChartInstallTest, about 70 s. */
  public static final int BACK_5 = Integer.MAX_VALUE - 4;
}
