package io.driftlake.drift.spark;

import io.driftlake.drift.estimate.ExactRefinement;
import io.driftlake.drift.estimate.Region;
import io.driftlake.drift.spark.exact.PassCounter;
import io.driftlake.drift.spark.exact.PassPartial;
import io.driftlake.drift.spark.exact.PassPlan;
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

  /** One pass: each feature's next state. */
  static List<ExactRefinement.State> run(Dataset<Row> reference, Dataset<Row> current,
                                         List<ExactRefinement.State> states, int[][] depths) {
    Column[] columns = states.stream().map(s -> ColumnNames.col(s.feature()))
        .toArray(Column[]::new);
    int parallelism = reference.sparkSession().sparkContext().defaultParallelism();
    PassPlan plan = new PassPlan(states, depths);
    JavaPairRDD<Integer, byte[]> partials = partials(reference.select(columns), 0, plan,
        parallelism).union(partials(current.select(columns), 1, plan, parallelism));
    ExactRefinement.State[] next = new ExactRefinement.State[states.size()];
    SparkProfiler.merged(partials, PassPartial::merge, Math.max(1, Math.min(states.size(),
            parallelism)))
        .mapValues(partial -> SparkProfiler.freeze(plan.step(partial)))
        .collect()
        .forEach(t -> next[t._1()] = SparkProfiler.thaw(t._2()));
    List<ExactRefinement.State> out = new ArrayList<>();
    for (int f = 0; f < next.length; f++) {
      // A feature whose values no task saw (both sides empty) cannot have open regions.
      if (next[f] == null) {
        next[f] = plan.step(new PassPartial(f));
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
    PassPlan plan = new PassPlan(states, depths);
    JavaPairRDD<Integer, byte[]> partials = partials(reference.select(columns), 0, plan,
        parallelism).union(partials(current.select(columns), 1, plan, parallelism));
    ExactRefinement.Values[][] found = new ExactRefinement.Values[features.size()][];
    SparkProfiler.merged(partials, PassPartial::merge, Math.max(1, Math.min(states.size(),
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
  private static JavaPairRDD<Integer, byte[]> partials(Dataset<Row> selected, int side, PassPlan plan,
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

  private static final class BatchCounter
      implements PairFlatMapFunction<Iterator<ColumnarBatch>, Integer, byte[]> {
    private final int side;
    private final PassPlan plan;
    private final int[] ordinals;
    private final ColumnarScan.Kind[] kinds;

    BatchCounter(int side, PassPlan plan, int[] ordinals, ColumnarScan.Kind[] kinds) {
      this.side = side;
      this.plan = plan;
      this.ordinals = ordinals;
      this.kinds = kinds;
    }

    @Override
    public Iterator<Tuple2<Integer, byte[]>> call(Iterator<ColumnarBatch> input) {
      PassCounter counter = new PassCounter(side, plan);
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
      return ExactPass.frozen(counter);
    }
  }

  private static final class RowCounter
      implements PairFlatMapFunction<Iterator<InternalRow>, Integer, byte[]> {
    private final int side;
    private final PassPlan plan;

    RowCounter(int side, PassPlan plan) {
      this.side = side;
      this.plan = plan;
    }

    @Override
    public Iterator<Tuple2<Integer, byte[]>> call(Iterator<InternalRow> input) {
      PassCounter counter = new PassCounter(side, plan);
      int width = counter.width();
      while (input.hasNext()) {
        InternalRow row = input.next();
        for (int f = 0; f < width; f++) {
          if (!row.isNullAt(f)) {
            counter.add(f, row.getDouble(f));
          }
        }
      }
      return ExactPass.frozen(counter);
    }
  }

  /** Each feature's counts, serialized for the shuffle. */
  private static Iterator<Tuple2<Integer, byte[]>> frozen(PassCounter counter) {
    List<Tuple2<Integer, byte[]>> out = new ArrayList<>();
    for (PassPartial p : counter.partials()) {
      out.add(new Tuple2<>(p.feature(), SparkProfiler.freeze(p)));
    }
    return out.iterator();
  }
}
