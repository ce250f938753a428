package dev.modelops.drift;

import org.hipparchus.stat.inference.KolmogorovSmirnovTest;

/**
 * The four drift measures between two histograms over the same bins: the baseline's and a window's.
 * Everything is computed from bin counts, so that the sums of several pods' counts give the same
 * measures as one pod's (the operator adds them up).
 *
 * <p>The bins of a numeric feature are [underflow, the baseline's k bins, overflow]: the KS
 * statistic is read where the baseline's distribution is known exactly, at its bin edges, and the
 * Wasserstein distance puts each bin's mass at its lower edge (underflow at the first edge,
 * overflow at the last). When every distinct value has its own bin, both are exactly the two-sample
 * measures on the raw values.
 */
public final class DriftMeasures {

  /**
   * Proportions below this are taken as this in PSI: a bin empty on one side would make it
   * infinite. One in ten thousand is below what a window of the default 5000 samples can show.
   */
  static final double PSI_FLOOR = 1e-4;

  /** n·d² past which the KS p-value is below 1e-15: 0, without computing the distribution. */
  private static final double KS_FAR = 18;

  private static final KolmogorovSmirnovTest KOLMOGOROV = new KolmogorovSmirnovTest();

  private DriftMeasures() {}

  /** The two-sample Kolmogorov-Smirnov test: the largest gap between the two CDFs. */
  public record Ks(double statistic, double pValue) {}

  /**
   * Population stability index: the sum over bins of (w - b) ln(w / b), of the window's and the
   * baseline's proportions, each at least {@link #PSI_FLOOR}. 0 for the same distribution.
   */
  public static double psi(long[] baseline, long[] window) {
    double nb = total(baseline);
    double nw = total(window);
    double sum = 0;
    for (int i = 0; i < baseline.length; i++) {
      double b = Math.max(baseline[i] / nb, PSI_FLOOR);
      double w = Math.max(window[i] / nw, PSI_FLOOR);
      sum += (w - b) * Math.log(w / b);
    }
    return sum;
  }

  /**
   * The Jensen-Shannon distance in bits (the square root of the divergence, as SciPy's {@code
   * jensenshannon(p, q, base=2)}): from 0 for the same distribution to 1 for disjoint ones.
   */
  public static double jensenShannon(long[] baseline, long[] window) {
    double nb = total(baseline);
    double nw = total(window);
    double divergence = 0;
    for (int i = 0; i < baseline.length; i++) {
      double b = baseline[i] / nb;
      double w = window[i] / nw;
      double m = (b + w) / 2;
      divergence += (term(b, m) + term(w, m)) / 2;
    }
    return Math.sqrt(Math.max(0, divergence) / Math.log(2));
  }

  private static double term(double p, double m) {
    return p == 0 ? 0 : p * Math.log(p / m);
  }

  /**
   * The two-sample KS statistic over the bins' cumulative proportions, and its p-value as SciPy's
   * {@code ks_2samp(method="asymp")} computes it: the one-sample Kolmogorov distribution of the
   * effective size n·m/(n+m), rounded. With counts binned, the statistic can only be smaller than
   * on the raw values, so the p-value errs towards "no drift".
   */
  public static Ks ks(long[] baseline, long[] window) {
    double nb = total(baseline);
    double nw = total(window);
    double cb = 0;
    double cw = 0;
    double d = 0;
    for (int i = 0; i < baseline.length; i++) {
      cb += baseline[i];
      cw += window[i];
      d = Math.max(d, Math.abs(cb / nb - cw / nw));
    }
    return new Ks(d, ksPValue(d, nb, nw));
  }

  static double ksPValue(double d, double n, double m) {
    if (d <= 0) {
      return 1;
    }
    int effective = (int) Math.max(1, Math.round(n * m / (n + m)));
    if (effective * d * d >= KS_FAR) {
      return 0;
    }
    return Math.min(1, Math.max(0, 1 - KOLMOGOROV.cdf(d, effective)));
  }

  /**
   * The first Wasserstein (earth mover's) distance between the two binned distributions, in the
   * feature's units: the integral of the gap between the CDFs. {@code edges} are the k+1 bin edges
   * of the k+2 counts (underflow and overflow included).
   */
  public static double wasserstein(long[] baseline, long[] window, double[] edges) {
    double nb = total(baseline);
    double nw = total(window);
    double cb = baseline[0];
    double cw = window[0];
    double sum = 0;
    for (int j = 1; j < edges.length; j++) {
      cb += baseline[j];
      cw += window[j];
      sum += Math.abs(cb / nb - cw / nw) * (edges[j] - edges[j - 1]);
    }
    return sum;
  }

  private static double total(long[] counts) {
    long n = 0;
    for (long c : counts) {
      n += c;
    }
    return n;
  }
}
