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
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Profiles every feature of a selection in ONE pass over ONE scan: each partition walks its rows
 * once (Spark's internal rows, no per-row objects) and builds every feature's fine histogram
 * (primitive arrays keyed by {@link FineBins}) or category counts; the partitions' profiles are
 * merged as they reach the driver, so neither a shuffle nor a per-row record is needed and the
 * driver holds one profile at a time, whatever the number of rows.
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
    FeatureProfile[] merged = rows.getNumPartitions() == 0
        ? new PartitionProfiler(names, numeric, options).empty()
        : rows.mapPartitions(new PartitionProfiler(names, numeric, options))
            .reduce(new MergeProfiles(options.partitionCategories()));
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
    JavaRDD<BinCounts[]> both = internalRows(reference.select(cols))
        .mapPartitions(new PartitionRefiner(0, k, shift, nextShift))
        .union(internalRows(current.select(cols))
            .mapPartitions(new PartitionRefiner(1, k, shift, nextShift)));
    BinCounts[] merged = both.getNumPartitions() == 0 ? PartitionRefiner.empty(n.length)
        : both.reduce(SparkProfiler::mergeCounts);
    for (int i = 0; i < n.length; i++) {
      ref.put(n[i], merged[i].toBins());
      cur.put(n[i], merged[n.length + i].toBins());
    }
    return new Refined(ref, cur);
  }

  private static JavaRDD<InternalRow> internalRows(Dataset<Row> data) {
    return data.queryExecution().toRdd().toJavaRDD();
  }

  private static BinCounts[] mergeCounts(BinCounts[] a, BinCounts[] b) {
    for (int i = 0; i < a.length; i++) {
      a[i].merge(b[i]);
    }
    return a;
  }

  /** Merges two partitions' profiles, keeping at most {@code categories} per feature. */
  private record MergeProfiles(int categories)
      implements org.apache.spark.api.java.function.Function2<FeatureProfile[], FeatureProfile[],
          FeatureProfile[]> {
    @Override
    public FeatureProfile[] call(FeatureProfile[] a, FeatureProfile[] b) {
      FeatureProfile[] out = new FeatureProfile[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i] instanceof NumericProfile n ? n.merge((NumericProfile) b[i])
            : ((CategoricalProfile) a[i]).merge((CategoricalProfile) b[i], categories);
      }
      return out;
    }
  }

  /**
   * Profiles one partition in one pass over its rows. A categorical feature tracks at most
   * {@link ProfileOptions#partitionCategories()} categories per partition; values of categories
   * met after that are counted as "other". The HLL sketch sees every distinct value.
   */
  private static final class PartitionProfiler
      implements FlatMapFunction<Iterator<InternalRow>, FeatureProfile[]> {
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
    public Iterator<FeatureProfile[]> call(Iterator<InternalRow> input) {
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
      FeatureProfile[] out = new FeatureProfile[width];
      for (int i = 0; i < width; i++) {
        if (numeric[i]) {
          out[i] = new NumericProfile(names[i], rows, nulls[i], nans[i], bins[i].toBins(),
              kll[i] == null ? null : kll[i].toByteArray());
        } else {
          TreeMap<String, Long> counts = new TreeMap<>();
          categories.get(i).forEach((value, c) -> counts.put(value.toString(), c[0]));
          out[i] = new CategoricalProfile(names[i], rows, nulls[i], counts, others[i],
              hll[i].isEmpty() ? null : hll[i].toUpdatableByteArray());
        }
      }
      return List.<FeatureProfile[]>of(out).iterator();
    }
  }

  /** Counts one side's values in the candidate bins under their keys at the finer shift. */
  private static final class PartitionRefiner
      implements FlatMapFunction<Iterator<InternalRow>, BinCounts[]> {
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

    static BinCounts[] empty(int width) {
      BinCounts[] out = new BinCounts[2 * width];
      Arrays.setAll(out, i -> new BinCounts());
      return out;
    }

    @Override
    public Iterator<BinCounts[]> call(Iterator<InternalRow> input) {
      int width = candidates.length;
      BinCounts[] out = empty(width);
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
            out[side * width + i].add(FineBins.key(v, nextShift), v);
          }
        }
      }
      return List.<BinCounts[]>of(out).iterator();
    }
  }

  static Column column(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }
}
