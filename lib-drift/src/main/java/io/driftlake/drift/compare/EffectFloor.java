package io.driftlake.drift.compare;

import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.format.Numbers;
import io.driftlake.drift.method.DriftMethod;
import io.driftlake.drift.method.Score;
import java.util.Locale;
import java.util.Map;

/**
 * The effect-size floor of a p-value method: at millions of rows a test finds any shift
 * significant, so a drifted verdict also needs the effect size (KS: D; χ²: Cramér's V) to reach
 * the method's minimum effect. Records the rule and both numbers on the result row
 * ({@code rule}, {@code effect_size}, {@code min_effect}, and for an approximate effect
 * {@code effect_lower}/{@code effect_upper}); a significant result with too small an effect is
 * not drifted, and its note says why.
 */
final class EffectFloor {
  private EffectFloor() {}

  /** A verdict and its note after the floor. */
  record Decision(Verdict verdict, String note) {}

  /**
   * The verdict from the p-value alone ({@code verdict}, {@code note}) with the floor applied:
   * an effect surely below the minimum makes it not drifted; one whose error interval straddles
   * the minimum leaves a drifted or undecided p-value undecided.
   */
  static Decision apply(DriftMethod method, DriftSettings settings, double alpha, Score scored,
                        Verdict verdict, String note, Map<String, String> conventions) {
    DriftMethod.Effect effect = method.effect();
    double floor = settings.minEffect(method);
    double value = scored.effect();
    double[] bounds = scored.effectInterval();
    String symbol = effect.symbol();
    conventions.put("effect_statistic", symbol + ": " + effect.description());
    conventions.put("effect_size", Double.toString(value));
    conventions.put("min_effect", Double.toString(floor));
    conventions.put("rule", String.format(Locale.ROOT, "p < %s and %s >= %s",
        Numbers.number(alpha, 6), symbol, Numbers.number(floor, 6)));
    if (bounds != null) {
      conventions.put("effect_lower", Double.toString(bounds[0]));
      conventions.put("effect_upper", Double.toString(bounds[1]));
    }
    if (verdict == Verdict.NOT_DRIFTED) {
      return new Decision(verdict, note);
    }
    double low = bounds == null ? value : bounds[0];
    double high = bounds == null ? value : bounds[1];
    String key = DriftSettings.PATH + ".min-effect." + method.id();
    if (high < floor) {
      String p = verdict == Verdict.DRIFTED
          ? String.format(Locale.ROOT, "p = %s < %s", Numbers.pValue(scored.pValue()),
              Numbers.number(alpha, 6))
          : "whatever the p-value";
      conventions.put("decision", bounds == null ? "effect below the minimum"
          : "effect's error interval below the minimum");
      return new Decision(Verdict.NOT_DRIFTED, String.format(Locale.ROOT, "not drifted: %s, but "
          + "the effect %s = %s is below the minimum effect %s (%s)", p, symbol,
          Numbers.number(bounds == null ? value : high, 6), Numbers.number(floor, 6), key));
    }
    if (low >= floor) {
      return new Decision(verdict, note);
    }
    conventions.put("decision", FeatureComparator.UNDECIDED);
    return new Decision(Verdict.UNKNOWN, String.format(Locale.ROOT, "%s: the error interval of "
        + "%s [%s, %s] straddles the minimum effect %s (%s)", FeatureComparator.UNDECIDED,
        symbol, low, high, Numbers.number(floor, 6), key));
  }
}
