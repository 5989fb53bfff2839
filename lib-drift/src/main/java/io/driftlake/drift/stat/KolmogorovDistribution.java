package io.driftlake.drift.stat;

import org.apache.commons.math3.special.Gamma;

/**
 * The one-sample two-sided Kolmogorov distribution at a whole n, as scipy's {@code kstwo}: what
 * the asymptotic two-sample p-value of {@link KolmogorovSmirnov} reads at the effective n.
 */
public final class KolmogorovDistribution {
  private KolmogorovDistribution() {}

  /**
   * P(Dₙ ≥ x) for the two-sided one-sample statistic at a whole n ≥ 1, as scipy's
   * {@code kstwo.sf(x, n)} (scipy/stats/_ksstats.py, {@code _kolmogn}; Simard &amp; L'Ecuyer
   * 2011): Ruben–Gambino's closed forms for n·x ≤ 1 and n·x ≥ n − 1; 2·{@link #smirnov} for
   * x ≥ ½ and in the upper tail (n·d² ≥ 2.2 above n = 140, n·x² > 4 up to it), 0 from
   * n·x² ≥ 370 above n = 140 (below 10⁻³²⁰); elsewhere 1 − cdf, the cdf by Durbin's matrix
   * (Marsaglia–Tsang–Wang) up to n = 140 and, above, wherever n ≤ 10⁵ and n·x^1.5 ≤ 1.4, and
   * otherwise by the Pelz–Good series (which is 0 below z = x·√n ≈ 0.0417, where the cdf is
   * below 10⁻³⁰⁰, so p = 1: the guard Commons Math lacks). Total: finite and in [0, 1] for
   * every x and every n up to 10¹⁵ and beyond. Within 10⁻¹⁰ absolute (and 10⁻⁹ relative in
   * the upper tail) of scipy on the grid of TestKolmogorovSmirnov.
   */
  public static double sf(double n, double x) {
    Checks.argument(n >= 1 && n == Math.rint(n), "KS effective size must be a whole n >= 1: %s",
        n);
    Checks.argument(!Double.isNaN(x), "KS statistic is NaN (n=%s)", n);
    if (x >= 1) {
      return 0;
    }
    if (x <= 0) {
      return 1;
    }
    double t = n * x;
    if (t <= 1) {
      if (t <= 0.5) {
        return 1;
      }
      // Ruben–Gambino: P(Dₙ ≤ x) = n!/nⁿ·(2t − 1)ⁿ for ½ ≤ n·x ≤ 1.
      double logCdf = logFactorialOverPower(n) + n * Math.log(2 * t - 1);
      return clampProbability(-Math.expm1(logCdf));
    }
    if (t >= n - 1) {
      return clampProbability(2 * Math.pow(1 - x, n));
    }
    if (x >= 0.5) {
      return clampProbability(2 * smirnov(n, x));
    }
    double nx2 = t * x;
    if (n <= 140) {
      if (nx2 <= 4) {
        return clampProbability(1 - durbinCdf((int) n, x));
      }
      return clampProbability(2 * smirnov(n, x));
    }
    if (nx2 >= 370) {
      return 0;
    }
    if (nx2 >= 2.2) {
      return clampProbability(2 * smirnov(n, x));
    }
    double cdf = n <= 100_000 && n * Math.pow(x, 1.5) <= 1.4
        ? durbinCdf((int) n, x) : pelzGoodCdf(n, x);
    return clampProbability(1 - cdf);
  }

  /** log(n!/nⁿ): exact summation up to n = 140, Stirling's series (8 terms) above, as scipy. */
  private static double logFactorialOverPower(double n) {
    if (n <= 140) {
      double log = 0;
      for (int i = 1; i <= n; i++) {
        log += Math.log(i / n);
      }
      return log;
    }
    double rn = 1 / n;
    double poly = 0;
    for (double c : STIRLING) {
      poly = poly * (rn * rn) + c;
    }
    return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
  }

  /** B₂ⱼ/(2j(2j − 1)) for j = 8 … 1, highest first (Horner). */
  private static final double[] STIRLING = {-2.955065359477124183e-2, 6.4102564102564102564e-3,
      -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4,
      7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2};

  /**
   * P(Dₙ ≤ d) by Durbin's matrix (Marsaglia, Tsang &amp; Wang 2003): with d = (k − h)/n, the
   * (k, k) entry of n!/nⁿ·Hⁿ for the (2k − 1)² matrix H, by repeated squaring, both the powers
   * and the running product rescaled by 2¹²⁸ so nothing overflows or underflows. Exact up to
   * rounding; O(k³ log n). Used where k ≤ 60 or so.
   */
  static double durbinCdf(int n, double d) {
    double nd = n * d;
    if (nd <= 0.5) {
      return 0;
    }
    if (d >= 1) {
      return 1;
    }
    int k = (int) Math.ceil(nd);
    double h = k - nd;
    int size = 2 * k - 1;
    double[] v = new double[size];
    double[] w = new double[size];
    double fac = 1;
    for (int j = 1; j <= size; j++) {
      w[j - 1] = fac;
      fac /= j;
      v[j - 1] = (1 - Math.pow(h, j)) * fac;
    }
    double tt = Math.pow(Math.max(2 * h - 1, 0), size) - 2 * Math.pow(h, size);
    v[size - 1] = (1 + tt) * fac;
    double[][] hm = new double[size][size];
    for (int i = 1; i < size; i++) {
      for (int r = i - 1; r < size; r++) {
        hm[r][i] = w[r - i + 1];
      }
    }
    for (int r = 0; r < size; r++) {
      hm[r][0] = v[r];
      hm[size - 1][r] = v[size - 1 - r];
    }
    double[][] power = null; // the identity
    int exponent = 0;
    int hExponent = 0;
    for (int left = n; left > 0; left >>= 1) {
      if ((left & 1) == 1) {
        power = power == null ? copy(hm) : multiply(power, hm);
        exponent += hExponent;
        exponent += rescale(power);
      }
      if (left > 1) {
        hm = multiply(hm, hm);
        hExponent = 2 * hExponent + rescale(hm);
      }
    }
    double p = power[k - 1][k - 1];
    for (int i = 1; i <= n; i++) {
      p = i * p / n;
      if (Math.abs(p) < 0x1p-128) {
        p *= 0x1p128;
        exponent -= 128;
      }
    }
    return clampProbability(Math.scalb(p, exponent));
  }

  /** Divides {@code a} by 2¹²⁸ while its largest entry exceeds 2¹²⁸; returns the exponent. */
  private static int rescale(double[][] a) {
    int exponent = 0;
    while (true) {
      double max = 0;
      for (double[] row : a) {
        for (double x : row) {
          max = Math.max(max, Math.abs(x));
        }
      }
      if (max <= 0x1p128) {
        return exponent;
      }
      for (double[] row : a) {
        for (int j = 0; j < row.length; j++) {
          row[j] *= 0x1p-128;
        }
      }
      exponent += 128;
    }
  }

  private static double[][] copy(double[][] a) {
    double[][] out = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i].clone();
    }
    return out;
  }

  private static double[][] multiply(double[][] a, double[][] b) {
    int size = a.length;
    double[][] out = new double[size][size];
    for (int i = 0; i < size; i++) {
      for (int l = 0; l < size; l++) {
        double ail = a[i][l];
        if (ail == 0) {
          continue;
        }
        for (int j = 0; j < size; j++) {
          out[i][j] += ail * b[l][j];
        }
      }
    }
    return out;
  }

  /**
   * The Pelz–Good (1976) approximation of P(Dₙ ≤ x): Li-Chien and Korolyuk's expansion
   * K₀(z) + K₁(z)/√n + K₂(z)/n + K₃(z)/n^1.5 at z = x·√n, its terms in the theta-function form
   * that converges for small z, as scipy's {@code _kolmogn_PelzGood}: ⌈16z/π⌉ terms each. Below
   * z ≈ 0.0417 (exp(−π²/(8z²)) underflows) the cdf is 0.
   */
  static double pelzGoodCdf(double n, double x) {
    if (x <= 0) {
      return 0;
    }
    if (x >= 1) {
      return 1;
    }
    double z = Math.sqrt(n) * x;
    double z2 = z * z;
    double z4 = z2 * z2;
    double z6 = z4 * z2;
    double qlog = -PI2 / 8 / z2;
    if (qlog < -708) {
      return 0;
    }
    double q = Math.exp(qlog);
    double k1a = -z2;
    double k1b = PI2 / 4;
    double k2a = 6 * z6 + 2 * z4;
    double k2b = (2 * z4 - 5 * z2) * PI2 / 4;
    double k2c = PI4 * (1 - 2 * z2) / 16;
    double k3d = PI6 * (5 - 30 * z2) / 64;
    double k3c = PI4 * (-60 * z2 + 212 * z4) / 16;
    double k3b = PI2 * (135 * z4 - 96 * z6) / 4;
    double k3a = -30 * z6 - 90 * z4 * z4;
    double[] sums = new double[4];
    int maxk = (int) Math.ceil(16 * z / Math.PI);
    for (int k = maxk; k >= 1; k--) {
      double mm = 2.0 * k - 1;
      double m2 = mm * mm;
      double m4 = m2 * m2;
      double m6 = m4 * m2;
      double qpower = Math.pow(q, 8.0 * k);
      double[] coeffs = {1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
          k3a + k3b * m2 + k3c * m4 + k3d * m6};
      for (int i = 0; i < 4; i++) {
        sums[i] = sums[i] * qpower + coeffs[i];
      }
    }
    double[] divisors = {z, 6 * z4, 72 * z6 * z, 6480 * z4 * z6};
    for (int i = 0; i < 4; i++) {
      sums[i] = sums[i] * q * SQRT_2PI / divisors[i];
    }
    double q2 = Math.exp(-PI2 / 2 / z2);
    double sqrt3z = Math.sqrt(3) * z;
    double k2extra = 0;
    double k3extra = 0;
    for (int k = maxk; k >= 1; k--) {
      double kk = (double) k * k;
      double qp = Math.pow(q2, kk);
      double kpi = Math.PI * k;
      k2extra += kk * qp;
      k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * kk * qp;
    }
    sums[2] += k2extra * PI2 * SQRT_2PI / (-36 * z2 * z);
    sums[3] += k3extra * PI2 * SQRT_2PI / (216 * z6);
    double sqrtN = Math.sqrt(n);
    return clampProbability(sums[0] + sums[1] / sqrtN + sums[2] / n + sums[3] / (n * sqrtN));
  }

  private static final double PI2 = Math.PI * Math.PI;
  private static final double PI4 = PI2 * PI2;
  private static final double PI6 = PI4 * PI2;
  private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);

  /**
   * P(D⁺ₙ ≥ x), the one-sided one-sample statistic's survival function, as scipy's
   * {@code special.smirnov}: the Birnbaum–Tingey sum x·Σⱼ t(j) over j = 0..⌊n(1 − x)⌋ with
   * t(j) = C(n, j)·(x + j/n)^(j−1)·(1 − x − j/n)^(n−j), up to n = 10⁶; Miller's approximation
   * exp(−(6nx + 1)²/(18n)) beyond, as scipy. Up to {@value #SMIRNOV_SUMMED} the terms are
   * added one by one; above, t is smooth in j (it changes by a relative x² per step) and
   * negligible at both ends, so the sum equals the integral of t (Euler–Maclaurin), taken by
   * Simpson's rule on {@value #SMIRNOV_PANELS} panels: within 10⁻¹⁰ of the sum, in about a
   * millisecond instead of 30.
   */
  static double smirnov(double n, double x) {
    if (x <= 0) {
      return 1;
    }
    if (x >= 1) {
      return 0;
    }
    if (n > 1_000_000) {
      double a = 6 * n * x + 1;
      return Math.exp(-a * a / (18 * n));
    }
    double logFactorial = Gamma.logGamma(n + 1);
    double last = Math.floor(n * (1 - x));
    if (n > SMIRNOV_SUMMED) {
      double h = last / SMIRNOV_PANELS;
      double[] logs = new double[SMIRNOV_PANELS + 1];
      double peak = Double.NEGATIVE_INFINITY;
      for (int i = 0; i <= SMIRNOV_PANELS; i++) {
        logs[i] = logTerm(n, x, i * h, logFactorial);
        peak = Math.max(peak, logs[i]);
      }
      double sum = 0;
      for (int i = 0; i <= SMIRNOV_PANELS; i++) {
        double weight = i == 0 || i == SMIRNOV_PANELS ? 1 : i % 2 == 1 ? 4 : 2;
        sum += weight * Math.exp(logs[i] - peak);
      }
      return x * Math.exp(peak + Math.log(sum * h / 3));
    }
    double sum = 0;
    for (int j = 0; j <= last; j++) {
      sum += Math.exp(logTerm(n, x, j, logFactorial));
    }
    return x * sum;
  }

  static final int SMIRNOV_SUMMED = 20_000;
  private static final int SMIRNOV_PANELS = 4096;

  /** log t(j) of {@link #smirnov}, for real j in [0, n(1 − x)]; −∞ where t is 0. */
  private static double logTerm(double n, double x, double j, double logFactorial) {
    double a = x + j / n;
    double b = 1 - a;
    if (b <= 0) {
      return Double.NEGATIVE_INFINITY; // (1 − x − j/n)^(n−j) with n − j ≥ n·x > 0
    }
    return logFactorial - Gamma.logGamma(j + 1) - Gamma.logGamma(n - j + 1)
        + (j - 1) * Math.log(a) + (n - j) * Math.log(b);
  }

  static double clampProbability(double p) {
    return Math.min(1.0, Math.max(0.0, p));
  }
}
