package io.driftlake.drift.method;

/**
 * What a method's scorer gives: a score, a p-value for tests (else null), and for an
 * approximate statistic the interval its decision value (p-value or score) surely lies in
 * (else null: the score is exact); or, when {@code notComputable} is not null, no score and why.
 * A method with an {@link DriftMethod.Effect} also gives its effect size, and for an approximate
 * one the interval the effect surely lies in (else null).
 */
public record Score(Double score, Double pValue, double[] interval, String notComputable,
                    Double effect, double[] effectInterval) {
  public static Score of(double score, Double pValue, double[] interval) {
    return new Score(score, pValue, interval, null, null, null);
  }

  public static Score of(double score) {
    return of(score, null, null);
  }

  public static Score notComputable(String why) {
    return new Score(null, null, null, why, null, null);
  }

  /** This score with the method's effect size, and the interval it lies in (null: exact). */
  public Score withEffect(double value, double[] bounds) {
    return new Score(score, pValue, interval, notComputable, value, bounds);
  }
}
