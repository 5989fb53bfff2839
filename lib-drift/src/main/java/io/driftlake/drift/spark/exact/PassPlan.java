package io.driftlake.drift.spark.exact;

import io.driftlake.drift.estimate.ExactRefinement;
import io.driftlake.drift.estimate.RefinementPlan;
import io.driftlake.drift.estimate.Region;
import io.driftlake.drift.estimate.RegionIndex;
import java.io.Serializable;
import java.util.List;

/**
 * What one exact pass does with each open region of {@link ExactRefinement}, shipped to every
 * task: the sub-bins it counts or the values it fetches, and, from the merged counts, each
 * feature's next state.
 */
public final class PassPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<ExactRefinement.State> states;
  private final int[][] depths;

  /** The pass over {@code states}: per open region, its depth ({@link RefinementPlan}). */
  public PassPlan(List<ExactRefinement.State> states, int[][] depths) {
    this.states = List.copyOf(states);
    this.depths = depths;
  }

  List<ExactRefinement.State> states() {
    return states;
  }

  int[][] depths() {
    return depths;
  }

  /** A feature's exact values per open region (null where a region has none). */
  public ExactRefinement.Values[] values(PassPartial partial) {
    List<Region> open = states.get(partial.feature()).open();
    return exactValues(open, new RegionIndex(open), partial.exact);
  }

  /** A feature's next state from its merged partial. */
  public ExactRefinement.State step(PassPartial partial) {
    int f = partial.feature();
    ExactRefinement.State state = states.get(f);
    List<Region> open = state.open();
    ExactRefinement.Split[] splits = new ExactRefinement.Split[open.size()];
    ExactRefinement.Values[] values = new ExactRefinement.Values[open.size()];
    RegionIndex index = new RegionIndex(open);
    ExactRefinement.Values[] found = exactValues(open, index, partial.exact);
    for (int i = 0; i < open.size(); i++) {
      if (depths[f][i] >= open.get(i).shift()) {
        values[i] = found[i] != null ? found[i]
            : new ExactRefinement.Values(new double[0], new long[0], new long[0]);
      } else {
        int size = 1 << depths[f][i];
        splits[i] = new ExactRefinement.Split(depths[f][i],
            orZeros(partial.counts[0], i, size), orZeros(partial.counts[1], i, size),
            orZeros(partial.sums[0], i, size), orZeros(partial.sums[1], i, size));
      }
    }
    return ExactRefinement.step(state, splits, values);
  }

  /**
   * Both sides' exact values, grouped by region and ascending: each side's values are sorted
   * already, so one merge gives the distinct values with both counts; regions are disjoint
   * intervals, so each region's values are one run.
   */
  private static ExactRefinement.Values[] exactValues(List<Region> open, RegionIndex index,
                                                      SortedValues[] sides) {
    SortedValues a = (sides[0] == null ? new SortedValues() : sides[0]).seal();
    SortedValues b = (sides[1] == null ? new SortedValues() : sides[1]).seal();
    int total = a.size() + b.size();
    long[] distinct = new long[total];
    long[] ref = new long[total];
    long[] cur = new long[total];
    int n = 0;
    for (int i = 0, j = 0; i < a.size() || j < b.size(); n++) {
      long ka = i < a.size() ? a.key(i) : Long.MAX_VALUE;
      long kb = j < b.size() ? b.key(j) : Long.MAX_VALUE;
      long key = Math.min(ka, kb);
      distinct[n] = SortedValues.unsortable(key);
      if (i < a.size() && ka == key) {
        ref[n] = a.count(i++);
      }
      if (j < b.size() && kb == key) {
        cur[n] = b.count(j++);
      }
    }
    ExactRefinement.Values[] values = new ExactRefinement.Values[open.size()];
    int from = 0;
    while (from < n) {
      int region = index.find(distinct[from]);
      int to = from + 1;
      while (to < n && index.find(distinct[to]) == region) {
        to++;
      }
      double[] v = new double[to - from];
      for (int k = from; k < to; k++) {
        v[k - from] = Double.longBitsToDouble(distinct[k]);
      }
      if (region >= 0) {
        values[region] = new ExactRefinement.Values(v,
            java.util.Arrays.copyOfRange(ref, from, to),
            java.util.Arrays.copyOfRange(cur, from, to));
      }
      from = to;
    }
    return values;
  }

  private static long[] orZeros(long[][] counts, int i, int size) {
    return counts == null ? new long[size] : counts[i];
  }

  private static double[] orZeros(double[][] sums, int i, int size) {
    return sums == null || sums[i] == null ? new double[size] : sums[i];
  }
}
