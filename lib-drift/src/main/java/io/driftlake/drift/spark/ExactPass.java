package io.driftlake.drift.spark;

import io.driftlake.drift.compare.ExactRefinement;
import io.driftlake.drift.compare.Region;
import io.driftlake.drift.compare.RegionIndex;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.Tuple2;

/**
 * One pass of {@link ExactRefinement} over both sides at once, reading only the columns of the
 * features that still have open regions: every value that falls into an open region is counted
 * in its sub-bin (or, for a region fetched exactly, under its own value); values elsewhere cost a
 * table lookup. Each task's counts are merged per feature on the executors, where the feature's
 * step is computed too, so the driver receives each feature's new state (its few open regions),
 * never the counts.
 */
final class ExactPass {
  private ExactPass() {}

  static List<ExactRefinement.State> run(Dataset<Row> reference, Dataset<Row> current,
                                         List<ExactRefinement.State> states, int[][] depths) {
    Column[] columns = states.stream().map(s -> ColumnNames.col(s.feature()))
        .toArray(Column[]::new);
    int parallelism = reference.sparkSession().sparkContext().defaultParallelism();
    Plan plan = new Plan(states, depths);
    JavaPairRDD<Integer, byte[]> partials = partials(reference.select(columns), 0, plan,
        parallelism).union(partials(current.select(columns), 1, plan, parallelism));
    ExactRefinement.State[] next = new ExactRefinement.State[states.size()];
    SparkProfiler.merged(partials, Partial::merge, Math.max(1, Math.min(states.size(),
            parallelism)))
        .mapValues(partial -> SparkProfiler.freeze(plan.step(partial)))
        .collect()
        .forEach(t -> next[t._1()] = SparkProfiler.thaw(t._2()));
    List<ExactRefinement.State> out = new ArrayList<>();
    for (int f = 0; f < next.length; f++) {
      // A feature whose values no task saw (both sides empty) cannot have open regions.
      if (next[f] == null) {
        Partial none = new Partial();
        none.feature = f;
        next[f] = plan.step(none);
      }
      out.add(next[f]);
    }
    return out;
  }

  /**
   * One pass that fetches the exact distinct values (with both sides' counts) of whole fine bins,
   * {@code keys.get(f)} (profile keys, none of them 0 or ±∞) of feature {@code features.get(f)}:
   * what PSI/JS binning needs to make its edges and counts numpy's. Per feature, by key; a key
   * whose bin has no values on either side maps to empty values.
   */
  static List<java.util.Map<Long, ExactRefinement.Values>> fetch(Dataset<Row> reference,
      Dataset<Row> current, List<String> features,
      List<? extends java.util.Collection<Long>> keys) {
    List<ExactRefinement.State> states = new ArrayList<>();
    int[][] depths = new int[features.size()][];
    for (int f = 0; f < features.size(); f++) {
      List<Region> regions = new ArrayList<>();
      for (long key : keys.get(f)) {
        // Only the fine bin's identity matters here: counts and bounds are not checked.
        regions.add(new Region(f, key < 0, Math.abs(key) - 1, io.driftlake.drift.profile.FineBins
            .SHIFT, 0, 0, 0, 0, 0, 0, false, false));
      }
      states.add(new ExactRefinement.State(features.get(f), f,
          new ExactRefinement.Totals(0, 0, 0, 0, 0, 0), false, false, 0, 0, regions));
      depths[f] = regions.stream().mapToInt(Region::shift).toArray();
    }
    Column[] columns = features.stream().map(ColumnNames::col).toArray(Column[]::new);
    int parallelism = reference.sparkSession().sparkContext().defaultParallelism();
    Plan plan = new Plan(states, depths);
    JavaPairRDD<Integer, byte[]> partials = partials(reference.select(columns), 0, plan,
        parallelism).union(partials(current.select(columns), 1, plan, parallelism));
    ExactRefinement.Values[][] found = new ExactRefinement.Values[features.size()][];
    SparkProfiler.merged(partials, Partial::merge, Math.max(1, Math.min(states.size(),
            parallelism)))
        .mapValues(partial -> SparkProfiler.freeze(plan.values(partial)))
        .collect()
        .forEach(t -> found[t._1()] = SparkProfiler.thaw(t._2()));
    List<java.util.Map<Long, ExactRefinement.Values>> out = new ArrayList<>();
    for (int f = 0; f < features.size(); f++) {
      java.util.Map<Long, ExactRefinement.Values> byKey = new java.util.HashMap<>();
      List<Region> regions = states.get(f).open();
      for (int i = 0; i < regions.size(); i++) {
        Region r = regions.get(i);
        ExactRefinement.Values v = found[f] == null ? null : found[f][i];
        byKey.put(r.negative() ? -(r.magnitude() + 1) : r.magnitude() + 1, v != null ? v
            : new ExactRefinement.Values(new double[0], new long[0], new long[0]));
      }
      out.add(byKey);
    }
    return out;
  }

  /**
   * The pass's counts of one side: from the columnar batches when the selection is a bare scan
   * of numeric columns, else from rows with the columns as doubles
   * ({@link FeatureSpecs#asDouble}). Coalesced to the cluster's parallelism, because every
   * task's partial holds the sub-bins of every open region.
   */
  private static JavaPairRDD<Integer, byte[]> partials(Dataset<Row> selected, int side, Plan plan,
                                                       int parallelism) {
    Optional<ColumnarScan> scan = ColumnarScan.of(selected).filter(s -> java.util.Arrays
        .stream(s.kinds()).noneMatch(k -> k == ColumnarScan.Kind.STRING
            || k == ColumnarScan.Kind.BOOLEAN));
    if (scan.isPresent()) {
      ColumnarScan s = scan.get();
      return s.batches().coalesce(parallelism).mapPartitionsToPair(
          new BatchCounter(side, plan, s.ordinals(), s.kinds()));
    }
    Column[] doubles = java.util.Arrays.stream(selected.schema().fields())
        .map(f -> FeatureSpecs.asDouble(ColumnNames.col(f.name()), f.dataType()))
        .toArray(Column[]::new);
    return selected.select(doubles).queryExecution().toRdd().toJavaRDD().coalesce(parallelism)
        .mapPartitionsToPair(new RowCounter(side, plan));
  }

  /** What a pass does with each open region, shipped to every task. */
  private static final class Plan implements Serializable {
    private final List<ExactRefinement.State> states;
    private final int[][] depths;

    Plan(List<ExactRefinement.State> states, int[][] depths) {
      this.states = List.copyOf(states);
      this.depths = depths;
    }

    /** A feature's exact values per open region (null where a region has none). */
    ExactRefinement.Values[] values(Partial partial) {
      List<Region> open = states.get(partial.feature).open();
      return exactValues(open, new RegionIndex(open), partial.exact);
    }

    /** A feature's next state from its merged partial. */
    ExactRefinement.State step(Partial partial) {
      int f = partial.feature;
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

  /** One feature's counts from some tasks of either side; merged by adding. */
  static final class Partial implements Serializable {
    private static final long serialVersionUID = 1L;
    int feature;
    /** [side][region][sub-bin], null where that side has not been seen. */
    final long[][][] counts = new long[2][][];
    final double[][][] sums = new double[2][][];
    final SortedValues[] exact = new SortedValues[2];

    Partial merge(Partial other) {
      for (int side = 0; side < 2; side++) {
        if (other.counts[side] != null) {
          if (counts[side] == null) {
            counts[side] = other.counts[side];
            sums[side] = other.sums[side];
          } else {
            for (int i = 0; i < counts[side].length; i++) {
              long[] c = counts[side][i];
              if (c != null) {
                long[] o = other.counts[side][i];
                double[] s = sums[side][i];
                double[] os = other.sums[side][i];
                for (int j = 0; j < c.length; j++) {
                  c[j] += o[j];
                }
                if (s != null) {
                  for (int j = 0; j < s.length; j++) {
                    s[j] += os[j];
                  }
                }
              }
            }
          }
        }
        if (other.exact[side] != null) {
          exact[side] = exact[side] == null ? other.exact[side] : exact[side].merge(other.exact[side]);
        }
      }
      return this;
    }
  }

  /** Counts one task's values of one side into every pass feature's open regions. */
  private static class Counter {
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

    Counter(int side, Plan plan) {
      this.side = side;
      int width = plan.states.size();
      index = new RegionIndex[width];
      shift = new int[width][];
      depth = plan.depths;
      base = new double[width][];
      cells = new double[width][];
      offset = new int[width][];
      summed = new boolean[width][];
      exact = new SortedValues[width];
      for (int f = 0; f < width; f++) {
        List<Region> open = plan.states.get(f).open();
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
              + plan.states.get(f).feature());
        }
        cells[f] = new double[(int) size];
      }
    }

    final void add(int f, double v) {
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
    final void addDoubles(int f, ColumnVector vector, int n) {
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

    final Iterator<Tuple2<Integer, byte[]>> emit() {
      List<Tuple2<Integer, byte[]>> out = new ArrayList<>();
      for (int f = 0; f < index.length; f++) {
        Partial p = new Partial();
        p.feature = f;
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
        out.add(new Tuple2<>(f, SparkProfiler.freeze(p)));
      }
      return out.iterator();
    }

    int width() {
      return index.length;
    }
  }

  private static final class BatchCounter
      implements PairFlatMapFunction<Iterator<ColumnarBatch>, Integer, byte[]> {
    private final int side;
    private final Plan plan;
    private final int[] ordinals;
    private final ColumnarScan.Kind[] kinds;

    BatchCounter(int side, Plan plan, int[] ordinals, ColumnarScan.Kind[] kinds) {
      this.side = side;
      this.plan = plan;
      this.ordinals = ordinals;
      this.kinds = kinds;
    }

    @Override
    public Iterator<Tuple2<Integer, byte[]>> call(Iterator<ColumnarBatch> input) {
      Counter counter = new Counter(side, plan);
      while (input.hasNext()) {
        ColumnarBatch batch = input.next();
        int n = batch.numRows();
        for (int f = 0; f < counter.width(); f++) {
          ColumnVector v = batch.column(ordinals[f]);
          ColumnarScan.Kind kind = kinds[f];
          if (kind == ColumnarScan.Kind.DOUBLE) {
            counter.addDoubles(f, v, n);
            continue;
          }
          boolean mayBeNull = v.hasNull();
          for (int r = 0; r < n; r++) {
            if (mayBeNull && v.isNullAt(r)) {
              continue;
            }
            counter.add(f, ColumnarScan.number(v, kind, r));
          }
        }
      }
      return counter.emit();
    }
  }

  private static final class RowCounter
      implements PairFlatMapFunction<Iterator<InternalRow>, Integer, byte[]> {
    private final int side;
    private final Plan plan;

    RowCounter(int side, Plan plan) {
      this.side = side;
      this.plan = plan;
    }

    @Override
    public Iterator<Tuple2<Integer, byte[]>> call(Iterator<InternalRow> input) {
      Counter counter = new Counter(side, plan);
      int width = counter.width();
      while (input.hasNext()) {
        InternalRow row = input.next();
        for (int f = 0; f < width; f++) {
          if (!row.isNullAt(f)) {
            counter.add(f, row.getDouble(f));
          }
        }
      }
      return counter.emit();
    }
  }
}
