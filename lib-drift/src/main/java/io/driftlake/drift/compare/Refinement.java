package io.driftlake.drift.compare;

import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Exact KS and Wasserstein by refinement instead of a sort. The fine histograms settle every bin
 * except a few candidates ({@link HistogramKs#certify}, {@link HistogramWasserstein#candidates});
 * a filtered pass splits only those into sub-bins (a finer {@link FineBins} shift), which settles
 * all but fewer, smaller candidates, and so on; at shift 0 every bin is one distinct value and
 * nothing is left to settle. Each step is one pass over both sides that keeps only the
 * candidates' sub-bins, so memory is bounded by the candidates, never by the rows.
 */
public final class Refinement {
  /** Finer by this many bits per step: every candidate bin splits into up to 2^7 = 128. */
  public static final int STEP = 7;

  private Refinement() {}

  /** The bins whose contents KS (when {@code ks}) and W1 (when {@code w1}) still need. */
  public static SortedSet<Long> candidates(NumericProfile reference, NumericProfile current,
                                           boolean ks, boolean w1) {
    SortedSet<Long> keys = new TreeSet<>();
    if (ks) {
      keys.addAll(HistogramKs.certify(reference, current).candidateKeys());
    }
    if (w1) {
      keys.addAll(HistogramWasserstein.candidates(reference, current));
    }
    return keys;
  }

  /** Values of {@code profile} in the bins {@code keys}. */
  public static long values(NumericProfile profile, Set<Long> keys) {
    long n = 0;
    for (long key : keys) {
      NumericProfile.Bin bin = profile.bins().get(key);
      n += bin == null ? 0 : bin.count();
    }
    return n;
  }

  /**
   * The next shift: straight to exact values (0) when the candidates hold at most
   * {@code exactLimit} values, else {@link #STEP} bits finer.
   */
  public static int nextShift(int shift, long candidateValues, long exactLimit) {
    return candidateValues <= exactLimit ? 0 : Math.max(0, shift - STEP);
  }

  /**
   * {@code profile} (keys at shift {@code from}) with its {@code candidates} replaced by their
   * sub-bins (keys at shift {@code to}) and every other key re-expressed at {@code to}.
   *
   * @throws IllegalStateException when the sub-bins do not hold exactly the candidates' values
   *     (the data changed between the passes)
   */
  public static NumericProfile apply(NumericProfile profile, String side, Set<Long> candidates,
                                     SortedMap<Long, NumericProfile.Bin> subBins, int from,
                                     int to) {
    TreeMap<Long, NumericProfile.Bin> bins = new TreeMap<>();
    for (Map.Entry<Long, NumericProfile.Bin> e : profile.bins().entrySet()) {
      if (!candidates.contains(e.getKey())) {
        bins.put(FineBins.rescale(e.getKey(), from, to), e.getValue());
      }
    }
    long expected = values(profile, candidates);
    long got = 0;
    for (Map.Entry<Long, NumericProfile.Bin> e : subBins.entrySet()) {
      long parent = parent(e.getKey(), from, to);
      if (!candidates.contains(parent)) {
        throw new IllegalStateException(String.format(
            "Exact pass for feature '%s' found %s values outside its %s candidate bins: did the "
                + "data change between the passes?", profile.feature(), side, candidates.size()));
      }
      got += e.getValue().count();
      bins.put(e.getKey(), e.getValue());
    }
    if (got != expected) {
      throw changed(profile.feature(), side, candidates.size(), expected, got);
    }
    return new NumericProfile(profile.feature(), profile.rows(), profile.nulls(), profile.nans(),
        bins, profile.kll());
  }

  /** The key at shift {@code from} of the bin that holds the key {@code key} at shift {@code to}. */
  static long parent(long key, int from, int to) {
    if (key == 0 || key == FineBins.INFINITY_KEY || key == -FineBins.INFINITY_KEY) {
      return key;
    }
    long p = 1 + ((Math.abs(key) - 1) >>> (from - to));
    return key > 0 ? p : -p;
  }

  private static IllegalStateException changed(String feature, String side, int bins,
                                               long expected, long got) {
    return new IllegalStateException(String.format(
        "Exact pass for feature '%s' found %s %s values in its %s candidate bins, the profile "
            + "has %s: did the data change between the passes?", feature,
        got, side, bins, expected));
  }
}
