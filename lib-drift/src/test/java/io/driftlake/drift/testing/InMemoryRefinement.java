package io.driftlake.drift.testing;

import io.driftlake.drift.estimate.ExactRefinement;
import io.driftlake.drift.estimate.Region;
import io.driftlake.drift.estimate.RegionIndex;
import io.driftlake.drift.profile.FineHistogram;
import io.driftlake.drift.profile.NumericProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** {@link ExactRefinement} run over arrays in memory, for the tests of its arithmetic. */
public final class InMemoryRefinement {
  private InMemoryRefinement() {}

  /** What the refinement ends with, and how many passes it took. */
  public record Outcome(double ks, double w1, int passes) {}

  public static NumericProfile profile(double[] values) {
    return profile(values, 0);
  }

  /**
   * A profile as a scan makes it from a column's non-null {@code values} (NaN counted apart, the
   * rest in the histogram) and its null count.
   */
  public static NumericProfile profile(double[] values, long nulls) {
    FineHistogram h = new FineHistogram();
    long nans = 0;
    for (double v : values) {
      if (Double.isNaN(v)) {
        nans++;
      } else {
        h.add(v);
      }
    }
    return new NumericProfile("x", values.length + nulls, nulls, nans, h.toBins());
  }

  /**
   * One refinement pass in memory: every value counted into its region's sub-bin or its exact
   * value exactly as a Spark pass does, then {@link ExactRefinement#step}.
   */
  public static ExactRefinement.State pass(ExactRefinement.State state, int[] depths,
                                           double[] ref, double[] cur) {
    List<Region> open = state.open();
    RegionIndex index = new RegionIndex(open);
    ExactRefinement.Split[] splits = new ExactRefinement.Split[open.size()];
    List<TreeMap<Double, long[]>> exact = new ArrayList<>();
    for (int i = 0; i < open.size(); i++) {
      int d = depths[i];
      exact.add(d >= open.get(i).shift() ? new TreeMap<>() : null);
      if (d < open.get(i).shift()) {
        splits[i] = new ExactRefinement.Split(d, new long[1 << d], new long[1 << d],
            new double[1 << d], new double[1 << d]);
      }
    }
    double[][] sides = {ref, cur};
    for (int side = 0; side < 2; side++) {
      for (double v : sides[side]) {
        if (Double.isNaN(v) || v == 0) {
          continue;
        }
        long bits = Double.doubleToRawLongBits(v);
        int i = index.find(bits);
        if (i < 0) {
          continue;
        }
        if (splits[i] == null) {
          exact.get(i).computeIfAbsent(v, k -> new long[2])[side]++;
        } else {
          int j = open.get(i).subBin(bits & Long.MAX_VALUE, depths[i]);
          (side == 0 ? splits[i].refCounts() : splits[i].curCounts())[j]++;
          (side == 0 ? splits[i].refSums() : splits[i].curSums())[j] += v - open.get(i).base();
        }
      }
    }
    ExactRefinement.Values[] values = new ExactRefinement.Values[open.size()];
    for (int i = 0; i < open.size(); i++) {
      if (exact.get(i) != null) {
        TreeMap<Double, long[]> found = exact.get(i);
        values[i] = new ExactRefinement.Values(
            found.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
            found.values().stream().mapToLong(c -> c[0]).toArray(),
            found.values().stream().mapToLong(c -> c[1]).toArray());
      }
    }
    return ExactRefinement.step(state, splits, values);
  }
}
