package io.driftlake.drift.compare;

import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;

/**
 * Coarse bins for PSI and JS, frozen from the reference profile: edges at the reference's
 * quantiles, snapped to fine-bin boundaries (relative precision 0.78 % or better), with open outer bins.
 * Bin i holds the fine keys in (cutKeys[i-1], cutKeys[i]]; the last bin is open above. Equal
 * quantiles collapse, and {@link #bins()} says how many bins are left: a constant reference has
 * two (its value's fine bin and below, and the open bin above, empty in the reference). A
 * quantile at ±∞ (a tenth or more of the values infinite) gives no edge: −∞ falls in the first
 * bin and +∞ in the last, so the edges are always finite.
 */
public record NumericBinning(long[] cutKeys) {
  public NumericBinning {
    cutKeys = cutKeys.clone();
  }

  public static NumericBinning fromReference(NumericProfile reference, int bins) {
    long n = reference.valid();
    if (n == 0 || bins < 2) {
      return new NumericBinning(new long[0]);
    }
    TreeSet<Long> cuts = new TreeSet<>();
    int next = 1;
    long cumulative = 0;
    for (Map.Entry<Long, NumericProfile.Bin> e : reference.bins().entrySet()) {
      cumulative += e.getValue().count();
      // Quantile i/bins falls in this fine bin once the cumulative count reaches i·n/bins.
      while (next < bins && cumulative * bins >= (long) next * n) {
        // No edge at ±∞: the outer bins are open, so ±∞ join them and every edge is finite.
        if (Math.abs(e.getKey()) != FineBins.INFINITY_KEY) {
          cuts.add(e.getKey());
        }
        next++;
      }
    }
    return new NumericBinning(cuts.stream().mapToLong(Long::longValue).toArray());
  }

  public int bins() {
    return cutKeys.length + 1;
  }

  /** Upper edges of the closed bins as values (the last bin is open to +∞). */
  public double[] edges() {
    return Arrays.stream(cutKeys).mapToDouble(FineBins::upperEdge).toArray();
  }

  public long[] counts(NumericProfile profile) {
    long[] counts = new long[bins()];
    for (Map.Entry<Long, NumericProfile.Bin> e : profile.bins().entrySet()) {
      counts[binOf(e.getKey())] += e.getValue().count();
    }
    return counts;
  }

  private int binOf(long key) {
    int i = Arrays.binarySearch(cutKeys, key);
    return i >= 0 ? i : -i - 1;
  }
}
