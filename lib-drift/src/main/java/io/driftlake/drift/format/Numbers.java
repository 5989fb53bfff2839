package io.driftlake.drift.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * The one number format of everything a person reads (the HTML page, the console summary, check
 * details): three significant digits (six in check details), written as a plain decimal from 0.001 to below a million ({@code 0.00235},
 * {@code 12.3}, {@code 48232}: integer digits are never rounded away) and otherwise as
 * {@code 3.65e-5} / {@code 1.2e7} (no "+", no zero-padded exponent); trailing zeros dropped. A
 * p-value that underflowed to 0 reads {@code < 1e-300}. Stored data (drift.json, tables) keeps
 * full precision: this is for display only.
 */
public final class Numbers {
  /** What a missing, NaN or infinite number shows. */
  public static final String NONE = "–";
  /** What a p-value of exactly 0 (below the smallest double a test can return) shows. */
  public static final String UNDERFLOW = "< 1e-300";

  private Numbers() {}

  /** {@code v} in the one format; null, NaN and ±∞ as {@link #NONE}. */
  public static String number(Double v) {
    if (v == null || !Double.isFinite(v)) {
      return NONE;
    }
    return number(v.doubleValue(), 3);
  }

  /**
   * A finite {@code v} in the same style with {@code digits} significant digits (check details
   * keep 6, where a bound next to its value must stay told apart).
   */
  public static String number(double v, int digits) {
    double a = Math.abs(v);
    if (a == 0) {
      return "0";
    }
    if (a >= Math.pow(10, digits) && a < 1e6) { // integer digits are never rounded away
      return Long.toString(Math.round(v));
    }
    BigDecimal rounded = new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN))
        .stripTrailingZeros();
    double shown = Math.abs(rounded.doubleValue()); // 0.00099996 shows as 0.001
    if (shown >= 1e-3 && shown < 1e6) {
      return rounded.toPlainString();
    }
    // rounded = unscaled · 10^-scale with at most `digits` digits unscaled: its leading digit's power
    int exponent = rounded.precision() - 1 - rounded.scale();
    return rounded.scaleByPowerOfTen(-exponent).stripTrailingZeros().toPlainString() + "e"
        + exponent;
  }

  /** A p-value: like {@link #number}, and exactly 0 as {@link #UNDERFLOW}. */
  public static String pValue(Double p) {
    return p != null && p == 0 ? UNDERFLOW : number(p);
  }

  /** A share as a percentage with one decimal ({@code 12.3 %}); NaN and ±∞ as {@link #NONE}. */
  public static String percent(double share) {
    return Double.isFinite(share) ? String.format(Locale.ROOT, "%.1f %%", share * 100) : NONE;
  }
}
