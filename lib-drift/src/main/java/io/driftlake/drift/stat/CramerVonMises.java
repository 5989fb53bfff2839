package io.driftlake.drift.stat;

/**
 * The two-sample Cramér–von Mises test as scipy's {@code cramervonmises_2samp} with
 * {@code method='asymptotic'}: T from the midranks of the pooled sample (Anderson 1962,
 * eq. 9–10), its p-value from the limiting distribution of the normalised statistic (eq. 15;
 * Csörgő and Faraway 1996). Computed from the distinct values with each side's count, one
 * walk in value order, so ties and repeated values cost nothing extra.
 */
public final class CramerVonMises {
  private CramerVonMises() {}

  /** T and its asymptotic p-value; {@code n}, {@code m} the sample sizes. */
  public record Result(double statistic, double pValue, long n, long m) {}

  /**
   * The test on distinct values in ascending order, with the reference's ({@code x}) and the
   * current's ({@code y}) count of each. Both sides need at least two values (as scipy).
   */
  public static Result test(long[] x, long[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(String.format(
          "Cramér–von Mises needs one count per value on both sides: %d and %d", x.length,
          y.length));
    }
    long before = 0;
    long beforeY = 0;
    // U = n Σ (r_i − i)² + m Σ (s_j − j)² over the sorted samples, r and s midranks in the
    // pooled sample. For a value held a times by x and b times by y, with A x's and B y's
    // below it, the x's deviations r − i are B + b/2 + (a+1)/2 − j for j = 1..a: their mean is
    // B + b/2 and their squares sum to a (B + b/2)² + a (a² − 1) / 12; likewise for y.
    Sum sx = new Sum();
    Sum sy = new Sum();
    for (int i = 0; i < x.length; i++) {
      double a = x[i];
      double b = y[i];
      if (x[i] < 0 || y[i] < 0) {
        throw new IllegalArgumentException(String.format(
            "Cramér–von Mises needs non-negative counts: %d and %d at %d", x[i], y[i], i));
      }
      double dx = beforeY + b / 2;
      double dy = before + a / 2;
      sx.add(a * dx * dx + a * (a * a - 1) / 12);
      sy.add(b * dy * dy + b * (b * b - 1) / 12);
      before += x[i];
      beforeY += y[i];
    }
    long n = before;
    long m = beforeY;
    if (n < 2 || m < 2) {
      throw new IllegalArgumentException(String.format(
          "Cramér–von Mises needs at least two values on each side: %d and %d", n, m));
    }
    double u = n * sx.value() + m * sy.value();
    double k = (double) n * m;
    double total = (double) n + m;
    double t = u / (k * total) - (4 * k - 1) / (6 * total);
    return new Result(t, pValue(t, n, m), n, m);
  }

  /** scipy's {@code _pval_cvm_2samp_asymptotic}: 1 − the limiting cdf at the normalised T. */
  static double pValue(double t, long n, long m) {
    double k = (double) n * m;
    double total = (double) n + m;
    double et = (1 + 1 / total) / 6;
    double vt = (total + 1) * (4 * k * total - 3 * ((double) n * n + (double) m * m) - 2 * k)
        / (45 * total * total * 4 * k);
    double tn = 1.0 / 6 + (t - et) / Math.sqrt(45 * vt);
    // Below 0.003 the limiting cdf is under 1.3e-18: scipy returns 1.
    return tn < 0.003 ? 1.0 : Math.max(0, 1 - limitingCdf(tn));
  }

  /**
   * The cdf of the one-sample statistic's limiting distribution (Csörgő and Faraway 1996,
   * eq. 1.3): the series scipy sums until a term is below 1e-7, the last one included.
   */
  static double limitingCdf(double x) {
    double total = 0;
    double gammaRatio = Math.sqrt(Math.PI); // Γ(k + ½) / Γ(k + 1) at k = 0
    for (int k = 0; ; k++) {
      double y = 4.0 * k + 1;
      double q = y * y / (16 * x);
      // e^(−q) K_¼(q) = e^(−2q) · (e^q K_¼(q))
      double term = gammaRatio / (Math.pow(Math.PI, 1.5) * Math.sqrt(x)) * Math.sqrt(y)
          * Math.exp(-2 * q) * scaledBesselK(q);
      total += term;
      if (!(Math.abs(term) >= 1e-7)) {
        return total;
      }
      gammaRatio *= (k + 0.5) / (k + 1);
    }
  }

  /**
   * e^q K_¼(q), the modified Bessel function of the second kind of order ¼, scaled, from
   * K_ν(q) = ∫₀^∞ e^(−q cosh s) cosh(νs) ds by the trapezoidal rule: the integrand is analytic
   * in the strip |Im s| &lt; π/2, so the rule's error is about e^(−π²/h), far below a double's
   * precision at h = 1/32. Scaled by e^q, as e^(−q(cosh s − 1)), so a large q cannot underflow.
   */
  static double scaledBesselK(double q) {
    double h = 1.0 / 32;
    double sum = 0.5; // s = 0: e^0 cosh 0, half weight
    for (int i = 1; ; i++) {
      double s = i * h;
      double f = Math.exp(-q * (Math.cosh(s) - 1)) * Math.cosh(0.25 * s);
      sum += f;
      if (f < 1e-20 * sum) {
        return sum * h;
      }
    }
  }

  /** Neumaier's compensated sum, so millions of group terms keep a double's precision. */
  private static final class Sum {
    private double sum;
    private double compensation;

    void add(double v) {
      double t = sum + v;
      compensation += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
      sum = t;
    }

    double value() {
      return sum + compensation;
    }
  }
}
