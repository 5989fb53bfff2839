package io.driftlake.drift.spark;

import static org.apache.spark.sql.functions.col;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.BinCounts;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.profile.Sketches;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Tuple2;

/**
 * Profiles every feature of a selection in ONE pass over ONE scan: each partition walks its rows
 * once (Spark's internal rows, no per-row objects) and builds every feature's fine histogram
 * (primitive arrays keyed by {@link FineBins}) or category counts; the partitions' profiles are
 * merged per feature on the executors (a shuffle of one small record per feature and partition,
 * never one per row), and the driver receives one profile per feature, whatever the number of
 * rows or partitions.
 */
public final class SparkProfiler {
  private SparkProfiler() {}

  public static Map<String, FeatureProfile> profile(Dataset<Row> data, List<FeatureSpec> features) {
    return profile(data, features, ProfileOptions.DEFAULT);
  }

  /**
   * Profiles every feature of {@code data} in one scan. Categorical features keep at most
   * {@code options.maxCategories()} categories (the most frequent; the rest is one "other" count)
   * and always carry an HLL distinct-count sketch; numeric features carry a KLL sketch when
   * {@code options.kll()}.
   */
  public static Map<String, FeatureProfile> profile(Dataset<Row> data, List<FeatureSpec> features,
                                                    ProfileOptions options) {
    if (features.isEmpty()) {
      return Map.of();
    }
    String[] names = new String[features.size()];
    boolean[] numeric = new boolean[features.size()];
    List<Column> typed = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      FeatureSpec f = features.get(i);
      names[i] = f.name();
      numeric[i] = f.type() == FeatureType.NUMERIC;
      typed.add(column(f.name()).cast(numeric[i] ? "double" : "string"));
    }
    JavaRDD<InternalRow> rows = internalRows(data.select(typed.toArray(Column[]::new)));
    int categories = options.partitionCategories();
    FeatureProfile[] merged = new PartitionProfiler(names, numeric, options).empty();
    // Merged per feature on the executors: the driver receives one profile per feature, so
    // neither its memory nor spark.driver.maxResultSize grows with the number of partitions.
    rows.mapPartitionsToPair(new PartitionProfiler(names, numeric, options))
        .reduceByKey((a, b) -> freeze(merge(thaw(a), thaw(b), categories)), reducers(rows, names.length))
        .collect()
        .forEach(t -> merged[t._1()] = thaw(t._2()));
    Map<String, FeatureProfile> profiles = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      FeatureProfile p = merged[i];
      // The final cut to the most frequent categories (merge folds the rest into "other").
      profiles.put(names[i], p instanceof CategoricalProfile c
          ? c.merge(CategoricalProfile.empty(c.feature()), options.maxCategories()) : p);
    }
    return profiles;
  }

  /** Sub-bins of the candidate bins of each feature, per side, from one pass over both. */
  public record Refined(Map<String, SortedMap<Long, NumericProfile.Bin>> reference,
                        Map<String, SortedMap<Long, NumericProfile.Bin>> current) {}

  /**
   * One pass over both sides for the exact statistics: every value of a feature whose key at
   * {@code shift} is one of that feature's {@code candidates} is counted again under its key at
   * the finer {@code nextShift} (at shift 0 each key is one distinct value). Only the candidate
   * bins' sub-bins reach the driver.
   */
  public static Refined refine(Dataset<Row> reference, Dataset<Row> current,
                               Map<String, ? extends Collection<Long>> candidates, int shift,
                               int nextShift) {
    List<String> names = new ArrayList<>();
    List<long[]> keys = new ArrayList<>();
    candidates.forEach((feature, set) -> {
      if (!set.isEmpty()) {
        names.add(feature);
        keys.add(set.stream().mapToLong(Long::longValue).sorted().toArray());
      }
    });
    Map<String, SortedMap<Long, NumericProfile.Bin>> ref = new LinkedHashMap<>();
    Map<String, SortedMap<Long, NumericProfile.Bin>> cur = new LinkedHashMap<>();
    if (names.isEmpty()) {
      return new Refined(ref, cur);
    }
    String[] n = names.toArray(String[]::new);
    long[][] k = keys.toArray(long[][]::new);
    Column[] cols = names.stream().map(f -> column(f).cast("double")).toArray(Column[]::new);
    JavaRDD<InternalRow> refRows = internalRows(reference.select(cols));
    JavaRDD<InternalRow> curRows = internalRows(current.select(cols));
    BinCounts[] merged = new BinCounts[2 * n.length];
    java.util.Arrays.setAll(merged, i -> new BinCounts());
    refRows.mapPartitionsToPair(new PartitionRefiner(0, k, shift, nextShift))
        .union(curRows.mapPartitionsToPair(new PartitionRefiner(1, k, shift, nextShift)))
        .reduceByKey((a, b) -> freeze(SparkProfiler.<BinCounts>thaw(a).merge(thaw(b))),
            reducers(refRows, 2 * n.length))
        .collect()
        .forEach(t -> merged[t._1()] = thaw(t._2()));
    for (int i = 0; i < n.length; i++) {
      ref.put(n[i], merged[i].toBins());
      cur.put(n[i], merged[n.length + i].toBins());
    }
    return new Refined(ref, cur);
  }

  private static JavaRDD<InternalRow> internalRows(Dataset<Row> data) {
    return data.queryExecution().toRdd().toJavaRDD();
  }

  /** Reduce tasks for a merge by feature: one per key, at most the input's partitions. */
  private static int reducers(JavaRDD<InternalRow> rows, int keys) {
    return Math.max(1, Math.min(keys, rows.getNumPartitions()));
  }

  /** Two partitions' profiles of a feature, keeping at most {@code categories} categories. */
  private static FeatureProfile merge(FeatureProfile a, FeatureProfile b, int categories) {
    return a instanceof NumericProfile n ? n.merge((NumericProfile) b)
        : ((CategoricalProfile) a).merge((CategoricalProfile) b, categories);
  }

  /**
   * Partial results travel between tasks and to the driver as Java-serialized bytes, so they
   * survive whatever {@code spark.serializer} a cluster configures (Kryo cannot rebuild records).
   */
  static byte[] freeze(java.io.Serializable value) {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @SuppressWarnings("unchecked")
  static <T> T thaw(byte[] bytes) {
    try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes))) {
      return (T) in.readObject();
    } catch (java.io.IOException | ClassNotFoundException e) {
      throw new IllegalStateException("Cannot read a partial profile", e);
    }
  }

  /**
   * Profiles one partition in one pass over its rows. A categorical feature tracks at most
   * {@link ProfileOptions#partitionCategories()} categories per partition; values of categories
   * met after that are counted as "other". The HLL sketch sees every distinct value.
   */
  private static final class PartitionProfiler
      implements PairFlatMapFunction<Iterator<InternalRow>, Integer, byte[]> {
    private final String[] names;
    private final boolean[] numeric;
    private final ProfileOptions options;

    PartitionProfiler(String[] names, boolean[] numeric, ProfileOptions options) {
      this.names = names;
      this.numeric = numeric;
      this.options = options;
    }

    FeatureProfile[] empty() {
      FeatureProfile[] out = new FeatureProfile[names.length];
      for (int i = 0; i < names.length; i++) {
        out[i] = numeric[i] ? NumericProfile.empty(names[i]) : CategoricalProfile.empty(names[i]);
      }
      return out;
    }

    @Override
    public Iterator<Tuple2<Integer, byte[]>> call(Iterator<InternalRow> input) {
      int width = names.length;
      int tracked = options.partitionCategories();
      long rows = 0;
      long[] nulls = new long[width];
      long[] nans = new long[width];
      long[] others = new long[width];
      BinCounts[] bins = new BinCounts[width];
      List<HashMap<UTF8String, long[]>> categories = new ArrayList<>();
      HllSketch[] hll = new HllSketch[width];
      KllDoublesSketch[] kll = new KllDoublesSketch[width];
      for (int i = 0; i < width; i++) {
        categories.add(numeric[i] ? null : new HashMap<>());
        if (numeric[i]) {
          bins[i] = new BinCounts();
          if (options.kll()) {
            kll[i] = KllDoublesSketch.newHeapInstance(options.kllK());
          }
        } else {
          hll[i] = Sketches.newHll();
        }
      }
      while (input.hasNext()) {
        InternalRow row = input.next();
        rows++;
        for (int i = 0; i < width; i++) {
          if (row.isNullAt(i)) {
            nulls[i]++;
          } else if (numeric[i]) {
            double v = row.getDouble(i);
            if (v != v) {
              nans[i]++;
              continue;
            }
            if (v == 0.0) {
              v = 0.0; // -0.0 and 0.0 are one value, as in Spark's grouping
            }
            bins[i].add(FineBins.key(v), v);
            if (kll[i] != null && Double.isFinite(v)) {
              kll[i].update(v);
            }
          } else {
            UTF8String value = row.getUTF8String(i);
            HashMap<UTF8String, long[]> counts = categories.get(i);
            long[] c = counts.get(value);
            if (c != null) {
              c[0]++;
            } else {
              hll[i].update(value.toString());
              if (counts.size() < tracked) {
                counts.put(value.clone(), new long[] {1}); // the row's buffer is reused
              } else {
                others[i]++;
              }
            }
          }
        }
      }
      List<Tuple2<Integer, byte[]>> out = new ArrayList<>();
      for (int i = 0; i < width; i++) {
        if (numeric[i]) {
          out.add(new Tuple2<>(i, freeze(new NumericProfile(names[i], rows, nulls[i], nans[i], bins[i].toBins(),
              kll[i] == null ? null : kll[i].toByteArray()))));
        } else {
          TreeMap<String, Long> counts = new TreeMap<>();
          categories.get(i).forEach((value, c) -> counts.put(value.toString(), c[0]));
          out.add(new Tuple2<>(i, freeze(new CategoricalProfile(names[i], rows, nulls[i], counts,
              others[i], hll[i].isEmpty() ? null : hll[i].toUpdatableByteArray()))));
        }
      }
      return out.iterator();
    }
  }

  /** Counts one side's values in the candidate bins under their keys at the finer shift. */
  private static final class PartitionRefiner
      implements PairFlatMapFunction<Iterator<InternalRow>, Integer, byte[]> {
    private final int side;
    private final long[][] candidates;
    private final int shift;
    private final int nextShift;

    PartitionRefiner(int side, long[][] candidates, int shift, int nextShift) {
      this.side = side;
      this.candidates = candidates;
      this.shift = shift;
      this.nextShift = nextShift;
    }

    @Override
    public Iterator<Tuple2<Integer, byte[]>> call(Iterator<InternalRow> input) {
      int width = candidates.length;
      BinCounts[] out = new BinCounts[width];
      Arrays.setAll(out, i -> new BinCounts());
      while (input.hasNext()) {
        InternalRow row = input.next();
        for (int i = 0; i < width; i++) {
          if (row.isNullAt(i)) {
            continue;
          }
          double v = row.getDouble(i);
          if (v != v) {
            continue;
          }
          if (v == 0.0) {
            v = 0.0;
          }
          if (Arrays.binarySearch(candidates[i], FineBins.key(v, shift)) >= 0) {
            out[i].add(FineBins.key(v, nextShift), v);
          }
        }
      }
      List<Tuple2<Integer, byte[]>> pairs = new ArrayList<>();
      for (int i = 0; i < width; i++) {
        if (out[i].size() > 0) {
          pairs.add(new Tuple2<>(side * width + i, freeze(out[i])));
        }
      }
      return pairs.iterator();
    }
  }

  static Column column(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }
}
