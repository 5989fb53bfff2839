package io.driftlake.drift.compare;

import io.driftlake.drift.estimate.ExactRefinement;
import io.driftlake.drift.profile.BinClosed;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Coarse bins for PSI and JS, frozen from the reference, as numpy cuts them: the edges are
 * {@code np.unique(np.quantile(reference, np.arange(1, bins) / bins))} (method 'linear': the
 * order statistics x_(floor h) and x_(floor h + 1) at h = (n − 1)·q, interpolated exactly as
 * numpy's {@code _lerp}), with the non-finite ones left out (a quantile next to ±∞), and the
 * outer bins open. {@link BinClosed#LEFT} (the default) puts a value equal to an edge in the upper
 * bin ([e_i, e_i+1): {@code np.searchsorted(edges, x, side='right')}, as {@code np.histogram}
 * and Evidently do); {@link BinClosed#RIGHT} in the lower one ((e_i, e_i+1]: side='left', as
 * {@code pandas.qcut}).
 *
 * <p>From a profile alone, an order statistic is exact when its fine bin holds one distinct
 * value, or it is that bin's first or last value (its min or max, when exact: after a
 * subtraction a bin may keep only bounds of them, {@link NumericProfile.Bin#minExact}); an edge
 * between two fine bins whose extremes are exact is therefore exact. A fine bin's count is
 * exact when all of it (all of [min, max], bounds or not) lies in one coarse bin, or it holds
 * two values (its exact min and max). The rest is estimated, spreading a bin's values
 * evenly over [min, max], and counted as {@link #uncertain}: every coarse bin's count is then
 * within that many of the exact one. {@link #needed} names the few fine bins whose exact values
 * settle everything; given them ({@code known}), edges and counts equal numpy's.
 */
public final class NumericBinning {
  private final double[] edges;
  private final BinClosed closed;
  private final Map<Long, ExactRefinement.Values> known;
  /** Fine keys of the reference bins that hold an edge known only within the bin. */
  private final TreeSet<Long> inexactEdgeKeys;
  /** How many estimated edges each of {@link #inexactEdgeKeys} holds. */
  private final Map<Long, Integer> inexactEdgeCounts;

  private NumericBinning(double[] edges, BinClosed closed, Map<Long, ExactRefinement.Values> known,
                         Map<Long, Integer> inexactEdgeCounts) {
    this.edges = edges;
    this.closed = closed;
    this.known = known;
    this.inexactEdgeCounts = Map.copyOf(inexactEdgeCounts);
    this.inexactEdgeKeys = new TreeSet<>(inexactEdgeCounts.keySet());
  }

  /** Left-closed bins from the reference profile alone. */
  public static NumericBinning fromReference(NumericProfile reference, int bins) {
    return fromReference(reference, bins, BinClosed.LEFT, Map.of());
  }

  /**
   * The bins of {@code reference}; {@code known} holds the exact distinct values (with both
   * sides' counts) of some fine bins, by profile key.
   */
  public static NumericBinning fromReference(NumericProfile reference, int bins, BinClosed closed,
                                             Map<Long, ExactRefinement.Values> known) {
    long n = reference.valid();
    Map<Long, Integer> inexact = new java.util.HashMap<>();
    if (n == 0 || bins < 2) {
      return new NumericBinning(new double[0], closed, known, inexact);
    }
    double[] raw = new double[bins - 1];
    for (int i = 1; i < bins; i++) {
      double q = i / (double) bins; // np.arange(1, bins) / bins
      double h = (n - 1) * q;
      double floor = Math.floor(h);
      long lo = (long) floor;
      long hi = Math.min(lo + 1, n - 1);
      double t = h - floor;
      Order a = order(reference, lo, known);
      Order b = order(reference, hi, known);
      double d = b.value - a.value;
      raw[i - 1] = t >= 0.5 ? b.value - d * (1 - t) : a.value + d * t;
      if (!a.exact || !b.exact) {
        inexact.merge(!a.exact ? a.key : b.key, 1, Integer::sum);
      }
    }
    double[] edges = Arrays.stream(raw).filter(Double::isFinite).sorted().distinct().toArray();
    // -0.0 and 0.0 are one edge, as in np.unique.
    edges = Arrays.stream(edges).map(e -> e == 0 ? 0.0 : e).distinct().toArray();
    // Count every edge inside a fine bin that holds an estimated one: any of them may be on
    // either side of that bin's values.
    Map<Long, Integer> inside = new java.util.HashMap<>();
    for (long key : inexact.keySet()) {
      NumericProfile.Bin bin = reference.bins().get(key);
      inside.put(key, (int) Arrays.stream(edges)
          .filter(e -> e >= bin.min() && e <= bin.max()).count());
    }
    return new NumericBinning(edges, closed, known, inside);
  }

  /** An order statistic: its value (an estimate when not exact) and its fine bin's key. */
  private record Order(double value, boolean exact, long key) {}

  /** The reference's value at 0-based rank {@code k}. */
  private static Order order(NumericProfile reference, long k,
                             Map<Long, ExactRefinement.Values> known) {
    long before = 0;
    for (Map.Entry<Long, NumericProfile.Bin> e : reference.bins().entrySet()) {
      NumericProfile.Bin bin = e.getValue();
      if (k < before + bin.count()) {
        long at = k - before;
        if (bin.singleValue() || at == 0 && bin.minExact()) {
          return new Order(bin.min(), true, e.getKey());
        }
        if (at == bin.count() - 1 && bin.maxExact()) {
          return new Order(bin.max(), true, e.getKey());
        }
        ExactRefinement.Values values = known.get(e.getKey());
        if (values != null) {
          long seen = 0;
          for (int j = 0; j < values.values().length; j++) {
            seen += values.refCounts()[j];
            if (at < seen) {
              return new Order(values.values()[j], true, e.getKey());
            }
          }
          throw new IllegalStateException(String.format(
              "Exact values of fine bin %d hold %d reference values, the profile %d",
              e.getKey(), seen, bin.count()));
        }
        double estimate = bin.count() == 1 ? bin.min()
            : bin.min() + (bin.max() - bin.min()) * at / (bin.count() - 1);
        return new Order(estimate, false, e.getKey());
      }
      before += bin.count();
    }
    throw new IllegalArgumentException("Rank " + k + " beyond the reference's " + before
        + " values");
  }

  public int bins() {
    return edges.length + 1;
  }

  /** The edges between the bins, ascending (exact, or estimates when {@link #edgesExact} fails). */
  public double[] edges() {
    return edges.clone();
  }

  public BinClosed closed() {
    return closed;
  }

  /**
   * Whether two exact edges might coincide where their estimates do not (a fine bin holding an
   * estimated edge holds another edge too), so that numpy's binning has fewer bins than this.
   */
  public boolean binsMayMerge() {
    return inexactEdgeCounts.values().stream().anyMatch(c -> c >= 2);
  }

  /** Whether every edge is numpy's exactly. */
  public boolean edgesExact() {
    return inexactEdgeKeys.isEmpty();
  }

  /** The coarse bin of a value. */
  public int binOf(double x) {
    int lo = 0;
    int hi = edges.length;
    // Number of edges <= x (left-closed) or < x (right-closed).
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      boolean below = closed == BinClosed.LEFT ? edges[mid] <= x : edges[mid] < x;
      if (below) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * A side's counts per coarse bin (estimates where {@code uncertain} > 0), how many of its
   * values might lie in another bin, and for each bin the least and most values the exact
   * binning can put there ({@code low[i] <= exact count <= high[i]}; equal where the count is
   * exact).
   */
  public record Counts(long[] counts, long uncertain, long[] low, long[] high) {
    /** Whether every count is the exact one. */
    public boolean exact() {
      return Arrays.equals(low, high);
    }
  }

  /** The counts of the reference (side 0) or current (side 1) profile. */
  public Counts counts(NumericProfile profile, int side) {
    long[] counts = new long[bins()];
    long[] low = new long[bins()];
    long[] high = new long[bins()];
    long uncertain = 0;
    for (Map.Entry<Long, NumericProfile.Bin> e : profile.bins().entrySet()) {
      NumericProfile.Bin bin = e.getValue();
      ExactRefinement.Values values = known.get(e.getKey());
      if (values != null) {
        long[] sideCounts = side == 0 ? values.refCounts() : values.curCounts();
        long total = 0;
        for (int j = 0; j < values.values().length; j++) {
          int at = binOf(values.values()[j]);
          counts[at] += sideCounts[j];
          low[at] += sideCounts[j];
          high[at] += sideCounts[j];
          total += sideCounts[j];
        }
        if (total != bin.count()) {
          throw new IllegalStateException(String.format("Exact values of fine bin %d hold %d "
              + "values of side %d, the profile %d", e.getKey(), total, side, bin.count()));
        }
        continue;
      }
      int first = binOf(bin.min());
      int last = binOf(bin.max());
      int edgesInside = inexactEdgeKeys.contains(e.getKey()) ? inexactEdgesIn(e.getKey()) : 0;
      if (edgesInside > 0) {
        // An edge known only within this fine bin: each of its values may lie on either side
        // of each such edge (and, with two or more, the exact edges may even coincide).
        uncertain += bin.count();
        int from = Math.max(0, first - edgesInside);
        int to = Math.min(bins() - 1, last + edgesInside);
        for (int j = from; j <= to; j++) {
          high[j] += bin.count();
        }
        if (bin.count() <= 2) {
          counts[first]++;
          counts[last] += bin.count() - 1;
        } else {
          spread(counts, bin, first, last);
        }
      } else if (first == last) {
        counts[first] += bin.count();
        low[first] += bin.count();
        high[first] += bin.count();
      } else if (bin.count() <= 2 && bin.exactExtremes()) {
        counts[first]++;
        counts[last] += bin.count() - 1;
        low[first]++;
        high[first]++;
        low[last] += bin.count() - 1;
        high[last] += bin.count() - 1;
      } else {
        // Its exact min and max are placed exactly; the other values (and an extreme known only
        // as a bound) may lie in any bin they span.
        long placed = (bin.minExact() ? 1 : 0) + (bin.maxExact() ? 1 : 0);
        long inner = bin.count() - placed;
        uncertain += inner;
        if (bin.minExact()) {
          low[first]++;
          high[first]++;
        }
        if (bin.maxExact()) {
          low[last]++;
          high[last]++;
        }
        for (int j = first; j <= last; j++) {
          high[j] += inner;
        }
        if (bin.count() == 1) {
          counts[first]++;
        } else {
          spread(counts, bin, first, last);
        }
      }
    }
    return new Counts(counts, uncertain, low, high);
  }

  /** How many edges lie inside the reference's fine bin {@code key}, which holds an estimated one. */
  private int inexactEdgesIn(long key) {
    return inexactEdgeCounts.getOrDefault(key, 0);
  }

  /** The counts of a profile (estimates where {@link Counts#uncertain} says so). */
  public long[] counts(NumericProfile profile) {
    return counts(profile, 0).counts();
  }

  /** A bin's min and max where they fall, its other values evenly over [min, max]. */
  private void spread(long[] counts, NumericProfile.Bin bin, int first, int last) {
    counts[first]++;
    counts[last]++;
    long inner = bin.count() - 2;
    double width = bin.max() - bin.min();
    long given = 0;
    for (int j = first; j <= last; j++) {
      double upper = j == last ? bin.max() : Math.min(bin.max(), edges[j]);
      double share = width > 0 ? (upper - bin.min()) / width : 1;
      long upTo = j == last ? inner : Math.round(share * inner);
      counts[j] += Math.max(0, upTo - given);
      given = Math.max(given, upTo);
    }
  }

  /**
   * The fine bins (profile keys) whose exact values make every edge and count exact: those that
   * hold an edge known only within the bin, and those of either side with values on both sides
   * of an edge that the profiles cannot place (more than two values, not all equal, or an
   * extreme known only as a bound).
   */
  public static TreeSet<Long> needed(NumericProfile reference, NumericProfile current, int bins,
                                     BinClosed closed) {
    NumericBinning b = fromReference(reference, bins, closed, Map.of());
    TreeSet<Long> keys = new TreeSet<>(b.inexactEdgeKeys);
    for (SortedMap<Long, NumericProfile.Bin> side : java.util.List.of(reference.bins(),
        current.bins())) {
      for (Map.Entry<Long, NumericProfile.Bin> e : side.entrySet()) {
        NumericProfile.Bin bin = e.getValue();
        if ((bin.count() > 2 || !bin.exactExtremes())
            && b.binOf(bin.min()) != b.binOf(bin.max())) {
          keys.add(e.getKey());
        }
      }
    }
    keys.remove(0L);
    keys.remove(FineBins.INFINITY_KEY);
    keys.remove(-FineBins.INFINITY_KEY);
    return keys;
  }
}
