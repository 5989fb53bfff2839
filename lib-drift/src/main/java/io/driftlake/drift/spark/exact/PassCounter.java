package io.driftlake.drift.spark.exact;

import io.driftlake.drift.estimate.Region;
import io.driftlake.drift.estimate.RegionIndex;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * Counts one task's values of one side into every pass feature's open regions (their sub-bins,
 * or their exact values), for {@link #partials}.
 */
public final class PassCounter {
  private final int side;
  private final RegionIndex[] index;
  private final int[][] shift;
  private final int[][] depth;
  private final double[][] base;
  /**
   * Per feature, all its split regions' cells in one array (no pointer chase per value): region
   * i's sub-bin j holds its count at {@code offset[f][i] + 2j} and its sum at the next slot
   * when the region is open for W1 ({@code summed}), or only the count at
   * {@code offset[f][i] + j} when it is open for KS alone. A task's counts stay far below 2^53,
   * where doubles stop counting exactly. Offset −1: a region fetched exactly.
   */
  private final double[][] cells;
  private final int[][] offset;
  private final boolean[][] summed;
  private final SortedValues[] exact;

  /** An empty count of side {@code side} (0 reference, 1 current) for {@code plan}. */
  public PassCounter(int side, PassPlan plan) {
    this.side = side;
    int width = plan.states().size();
    index = new RegionIndex[width];
    shift = new int[width][];
    depth = plan.depths();
    base = new double[width][];
    cells = new double[width][];
    offset = new int[width][];
    summed = new boolean[width][];
    exact = new SortedValues[width];
    for (int f = 0; f < width; f++) {
      List<Region> open = plan.states().get(f).open();
      index[f] = new RegionIndex(open);
      shift[f] = new int[open.size()];
      base[f] = new double[open.size()];
      offset[f] = new int[open.size()];
      summed[f] = new boolean[open.size()];
      exact[f] = new SortedValues();
      long size = 0;
      for (int i = 0; i < open.size(); i++) {
        Region r = open.get(i);
        shift[f][i] = r.shift();
        base[f][i] = r.base();
        summed[f][i] = r.w1();
        if (depth[f][i] < r.shift()) {
          offset[f][i] = (int) size;
          size += (long) (r.w1() ? 2 : 1) << depth[f][i];
        } else {
          offset[f][i] = -1;
        }
      }
      if (size > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("Exact pass plan needs " + size + " cells for feature "
            + plan.states().get(f).feature());
      }
      cells[f] = new double[(int) size];
    }
  }

  /** Counts one value of feature {@code f}. */
  public void add(int f, double v) {
    if (v != v || v == 0) {
      return; // NaN is not a value here; 0 has a bin of its own
    }
    long bits = Double.doubleToRawLongBits(v);
    int i = index[f].find(bits);
    if (i < 0) {
      return;
    }
    int at = cell(f, i, bits);
    if (at < 0) {
      exact[f].add(bits);
    } else if (summed[f][i]) {
      cells[f][at] += 1;
      cells[f][at + 1] += v - base[f][i];
    } else {
      cells[f][at] += 1;
    }
  }

  /** Where the value's sub-bin of region i is counted, or −1 for a region fetched exactly. */
  private int cell(int f, int i, long bits) {
    int from = offset[f][i];
    if (from < 0) {
      return -1;
    }
    int d = depth[f][i];
    int j = (int) (((bits & Long.MAX_VALUE) >>> (shift[f][i] - d)) & ((1L << d) - 1));
    return from + (summed[f][i] ? 2 * j : j);
  }

  private int[] summedCells = new int[0];
  private double[] summedValues = new double[0];
  private int[] countedCells = new int[0];
  private long[] exactBits = new long[0];

  /**
   * The first {@code n} values of a double vector, in two steps: one finds each value's cell
   * (sorted into W1 cells, KS-only cells and exact values), the others count them, so the
   * scattered memory accesses of the counting are independent of each other and overlap.
   */
  public void addDoubles(int f, ColumnVector vector, int n) {
    if (summedCells.length < n) {
      summedCells = new int[n];
      summedValues = new double[n];
      countedCells = new int[n];
      exactBits = new long[n];
    }
    RegionIndex regions = index[f];
    boolean[] sums = summed[f];
    double[] bases = base[f];
    boolean mayBeNull = vector.hasNull();
    int summedHits = 0;
    int countedHits = 0;
    int exactHits = 0;
    for (int r = 0; r < n; r++) {
      if (mayBeNull && vector.isNullAt(r)) {
        continue;
      }
      double v = vector.getDouble(r);
      if (v != v || v == 0) {
        continue;
      }
      long bits = Double.doubleToRawLongBits(v);
      int i = regions.find(bits);
      if (i < 0) {
        continue;
      }
      int at = cell(f, i, bits);
      if (at < 0) {
        exactBits[exactHits++] = bits;
      } else if (sums[i]) {
        summedCells[summedHits] = at;
        summedValues[summedHits++] = v - bases[i];
      } else {
        countedCells[countedHits++] = at;
      }
    }
    double[] c = cells[f];
    for (int h = 0; h < summedHits; h++) {
      int at = summedCells[h];
      c[at] += 1;
      c[at + 1] += summedValues[h];
    }
    for (int h = 0; h < countedHits; h++) {
      c[countedCells[h]] += 1;
    }
    for (int h = 0; h < exactHits; h++) {
      exact[f].add(exactBits[h]);
    }
  }

  /** Each feature's counts, by feature index. */
  public List<PassPartial> partials() {
    List<PassPartial> out = new ArrayList<>();
    for (int f = 0; f < index.length; f++) {
      PassPartial p = new PassPartial(f);
      int regions = offset[f].length;
      p.counts[side] = new long[regions][];
      p.sums[side] = new double[regions][];
      for (int i = 0; i < regions; i++) {
        int from = offset[f][i];
        if (from >= 0) {
          int stride = summed[f][i] ? 2 : 1;
          long[] counts = p.counts[side][i] = new long[1 << depth[f][i]];
          double[] sums = summed[f][i] ? p.sums[side][i] = new double[counts.length] : null;
          for (int j = 0; j < counts.length; j++) {
            counts[j] = (long) cells[f][from + stride * j];
            if (sums != null) {
              sums[j] = cells[f][from + 2 * j + 1];
            }
          }
        }
      }
      p.exact[side] = exact[f];
      out.add(p);
    }
    return out;
  }

  /** The pass's features. */
  public int width() {
    return index.length;
  }
}
