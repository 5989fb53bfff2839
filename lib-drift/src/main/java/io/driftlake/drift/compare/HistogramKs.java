package io.driftlake.drift.compare;

import io.driftlake.drift.profile.NumericProfile;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Exact two-sample KS statistic without a global sort. The fine histograms give |F1 − F2| exactly
 * at every fine-bin boundary (a lower bound on D) and an upper bound inside each bin; only the
 * bins whose upper bound beats the lower bound (the candidates) need their exact values: D is the
 * larger of the lower bound and max |F − G| over the candidates' values, which the filtered pass
 * in SparkProfiler#binStatistics computes. Ties are whole groups, so D equals scipy's ks_2samp
 * statistic.
 */
public final class HistogramKs {
  private HistogramKs() {}

  /** What the histograms alone establish: D ≥ lowerBound, and where D may still be larger. */
  public record Certificate(double lowerBound, SortedSet<Long> candidateKeys) {
    public Certificate {
      candidateKeys = new TreeSet<>(candidateKeys);
    }
  }

  public static Certificate certify(NumericProfile reference, NumericProfile current) {
    double n = reference.valid();
    double m = current.valid();
    TreeSet<Long> keys = unionKeys(reference, current);
    double lower = 0;
    long cumRef = 0;
    long cumCur = 0;
    for (long key : keys) {
      cumRef += count(reference, key);
      cumCur += count(current, key);
      lower = Math.max(lower, Math.abs(cumRef / n - cumCur / m));
    }
    TreeSet<Long> candidates = new TreeSet<>();
    cumRef = 0;
    cumCur = 0;
    for (long key : keys) {
      double beforeRef = cumRef / n;
      double beforeCur = cumCur / m;
      cumRef += count(reference, key);
      cumCur += count(current, key);
      double bound = Math.max(cumRef / n - beforeCur, cumCur / m - beforeRef);
      if (bound > lower && !singleValue(reference.bins().get(key), current.bins().get(key))) {
        candidates.add(key);
      }
    }
    return new Certificate(lower, candidates);
  }

  private static boolean singleValue(NumericProfile.Bin a, NumericProfile.Bin b) {
    if (a == null) {
      return b.singleValue();
    }
    if (b == null) {
      return a.singleValue();
    }
    return a.singleValue() && b.singleValue() && Double.compare(a.min(), b.min()) == 0;
  }

  private static TreeSet<Long> unionKeys(NumericProfile reference, NumericProfile current) {
    TreeSet<Long> keys = new TreeSet<>(reference.bins().keySet());
    keys.addAll(current.bins().keySet());
    return keys;
  }

  private static long count(NumericProfile profile, long key) {
    NumericProfile.Bin bin = profile.bins().get(key);
    return bin == null ? 0 : bin.count();
  }
}
