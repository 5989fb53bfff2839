package io.driftlake.drift.testing;

import java.util.Arrays;

/** KS D and W1 by their sort-based definitions, as independent references for tests. */
public final class SortBased {
  private SortBased() {}

  /** max |F − G| over the pooled sorted values, ties as whole groups (scipy's ks_2samp D). */
  public static double ks(double[] a, double[] b) {
    double[] x = Arrays.stream(a).filter(v -> !Double.isNaN(v)).sorted().toArray();
    double[] y = Arrays.stream(b).filter(v -> !Double.isNaN(v)).sorted().toArray();
    int i = 0;
    int j = 0;
    double d = 0;
    while (i < x.length || j < y.length) {
      double v = Math.min(i < x.length ? x[i] : Double.POSITIVE_INFINITY,
          j < y.length ? y[j] : Double.POSITIVE_INFINITY);
      while (i < x.length && x[i] == v) {
        i++;
      }
      while (j < y.length && y[j] == v) {
        j++;
      }
      d = Math.max(d, Math.abs((double) i / x.length - (double) j / y.length));
      if (v == Double.POSITIVE_INFINITY) {
        break;
      }
    }
    return d;
  }

  /** ∫|F − G| over the finite values, from the pooled sorted values (scipy's definition). */
  public static double w1(double[] a, double[] b) {
    double[] x = Arrays.stream(a).filter(Double::isFinite).sorted().toArray();
    double[] y = Arrays.stream(b).filter(Double::isFinite).sorted().toArray();
    double[] all = new double[x.length + y.length];
    System.arraycopy(x, 0, all, 0, x.length);
    System.arraycopy(y, 0, all, x.length, y.length);
    Arrays.sort(all);
    double w = 0;
    int i = 0;
    int j = 0;
    for (int k = 0; k + 1 < all.length; k++) {
      while (i < x.length && x[i] <= all[k]) {
        i++;
      }
      while (j < y.length && y[j] <= all[k]) {
        j++;
      }
      w += Math.abs((double) i / x.length - (double) j / y.length) * (all[k + 1] - all[k]);
    }
    return w;
  }
}
