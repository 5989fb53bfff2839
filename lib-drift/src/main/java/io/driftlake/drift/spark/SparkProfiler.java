package io.driftlake.drift.spark;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log2;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.profile.Sketches;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.spark.sql.Column;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;

/**
 * Profiles every feature of a selection in ONE aggregation over ONE scan: each partition builds
 * its per-feature fine histograms and category counts in plain JVM maps, and a small groupBy
 * merges the partitions, so the result has one row per (feature, bin) or (feature, category),
 * never per input row.
 */
public final class SparkProfiler {
  /** Key of NaN values: outside every real key, counted apart from the distribution. */
  static final long NAN_KEY = Long.MIN_VALUE;
  /** Key of a categorical feature's "other" count (values beyond the tracked categories). */
  static final long OTHER_KEY = Long.MIN_VALUE + 1;
  /** Key of a categorical feature's HLL distinct-count sketch row. */
  static final long HLL_KEY = Long.MIN_VALUE + 2;
  /** Key of a numeric feature's KLL sketch rows (one per partition, merged on the driver). */
  static final long KLL_KEY = Long.MIN_VALUE + 3;

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
    Dataset<Row> merged = data.select(typed.toArray(Column[]::new))
        .mapPartitions(new PartitionProfiler(names, numeric, options), Encoders.row(PARTIAL))
        .groupBy("feature", "key", "category", "part")
        .agg(sum("n").as("n"), min("min").as("min"), max("max").as("max"),
            sum("sum").as("sum"), sum("sum_squares").as("sum_squares"),
            functions.hll_union_agg(col("hll"), true).as("hll"), first("kll").as("kll"));
    // Keep each categorical feature's most frequent categories; fold the rest into "other".
    Column isCategory = col("category").isNotNull();
    Column rank = when(isCategory, functions.row_number().over(
        Window.partitionBy(col("feature"), isCategory).orderBy(col("n").desc(), col("category"))));
    Column folded = coalesce(rank, lit(0)).gt(options.maxCategories());
    List<Row> rows = merged.withColumn("rank", rank)
        .select(col("feature"), when(folded, lit(OTHER_KEY)).otherwise(col("key")).as("key"),
            when(folded, lit(null).cast("string")).otherwise(col("category")).as("category"),
            col("part"), col("n"), col("min"), col("max"), col("sum"), col("sum_squares"),
            col("hll"), col("kll"))
        .groupBy("feature", "key", "category", "part")
        .agg(sum("n").as("n"), min("min").as("min"), max("max").as("max"),
            sum("sum").as("sum"), sum("sum_squares").as("sum_squares"), first("hll").as("hll"),
            first("kll").as("kll"))
        .collectAsList();
    return assemble(features, rows, options);
  }

  /** One row per (feature, fine bin | category | sketch) of one partition; merged by groupBy. */
  private static final StructType PARTIAL = new StructType()
      .add("feature", DataTypes.StringType).add("key", DataTypes.LongType)
      .add("category", DataTypes.StringType).add("part", DataTypes.IntegerType)
      .add("n", DataTypes.LongType)
      .add("min", DataTypes.DoubleType).add("max", DataTypes.DoubleType)
      .add("sum", DataTypes.DoubleType).add("sum_squares", DataTypes.DoubleType)
      .add("hll", DataTypes.BinaryType).add("kll", DataTypes.BinaryType);

  /**
   * Profiles a partition in one pass over its rows with plain JVM maps (no per-cell rows, no
   * shuffle of cells). Keys come from {@link FineBins#key(double)}. A categorical feature tracks
   * at most {@link ProfileOptions#partitionCategories()} categories per partition; values of
   * categories met after that are counted as "other". The HLL sketch sees every distinct value.
   */
  private static final class PartitionProfiler implements MapPartitionsFunction<Row, Row> {
    private final String[] names;
    private final boolean[] numeric;
    private final ProfileOptions options;

    PartitionProfiler(String[] names, boolean[] numeric, ProfileOptions options) {
      this.names = names;
      this.numeric = numeric;
      this.options = options;
    }

    @Override
    public java.util.Iterator<Row> call(java.util.Iterator<Row> input) {
      int width = names.length;
      int tracked = options.partitionCategories();
      long[] nulls = new long[width];
      long[] nans = new long[width];
      long[] others = new long[width];
      List<Map<Long, double[]>> bins = new ArrayList<>();
      List<Map<String, long[]>> categories = new ArrayList<>();
      HllSketch[] hll = new HllSketch[width];
      KllDoublesSketch[] kll = new KllDoublesSketch[width];
      for (int i = 0; i < width; i++) {
        bins.add(new HashMap<>());
        categories.add(new HashMap<>());
        if (!numeric[i]) {
          hll[i] = Sketches.newHll();
        } else if (options.kll()) {
          kll[i] = KllDoublesSketch.newHeapInstance(options.kllK());
        }
      }
      while (input.hasNext()) {
        Row row = input.next();
        for (int i = 0; i < width; i++) {
          if (row.isNullAt(i)) {
            nulls[i]++;
          } else if (numeric[i]) {
            double v = row.getDouble(i);
            if (Double.isNaN(v)) {
              nans[i]++;
              continue;
            }
            if (v == 0.0) {
              v = 0.0; // -0.0 and 0.0 are one value, as in Spark's grouping
            }
            double[] b = bins.get(i).computeIfAbsent(FineBins.key(v),
                k -> new double[] {0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, 0});
            b[0]++;
            b[1] = Math.min(b[1], v);
            b[2] = Math.max(b[2], v);
            if (Double.isFinite(v)) {
              b[3] += v;
              b[4] += v * v;
              if (kll[i] != null) {
                kll[i].update(v);
              }
            }
          } else {
            String value = row.getString(i);
            Map<String, long[]> counts = categories.get(i);
            long[] c = counts.get(value);
            if (c != null) {
              c[0]++;
            } else {
              hll[i].update(value);
              if (counts.size() < tracked) {
                counts.put(value, new long[] {1});
              } else {
                others[i]++;
              }
            }
          }
        }
      }
      int part = org.apache.spark.TaskContext.getPartitionId();
      List<Row> out = new ArrayList<>();
      for (int i = 0; i < width; i++) {
        if (nulls[i] > 0) {
          out.add(cell(names[i], null, null, nulls[i]));
        }
        if (nans[i] > 0) {
          out.add(RowFactory.create(names[i], NAN_KEY, null, null, nans[i], Double.NaN,
              Double.NaN, null, null, null, null));
        }
        if (others[i] > 0) {
          out.add(cell(names[i], OTHER_KEY, null, others[i]));
        }
        for (Map.Entry<Long, double[]> e : bins.get(i).entrySet()) {
          double[] b = e.getValue();
          boolean finite = Math.abs(e.getKey()) < FineBins.INFINITY_KEY;
          out.add(RowFactory.create(names[i], e.getKey(), null, null, (long) b[0], b[1], b[2],
              finite ? b[3] : null, finite ? b[4] : null, null, null));
        }
        for (Map.Entry<String, long[]> e : categories.get(i).entrySet()) {
          out.add(cell(names[i], null, e.getKey(), e.getValue()[0]));
        }
        if (hll[i] != null && !hll[i].isEmpty()) {
          out.add(RowFactory.create(names[i], HLL_KEY, null, null, 0L, null, null, null, null,
              hll[i].toUpdatableByteArray(), null));
        }
        if (kll[i] != null && !kll[i].isEmpty()) {
          out.add(RowFactory.create(names[i], KLL_KEY, null, part, 0L, null, null, null, null,
              null, kll[i].toByteArray()));
        }
      }
      return out.iterator();
    }

    private static Row cell(String feature, Long key, String category, long n) {
      return RowFactory.create(feature, key, category, null, n, null, null, null, null, null, null);
    }
  }

  /**
   * Exact value counts inside the given fine bins, per feature: feature → key → value → count.
   * One filtered scan for all features.
   */
  public static Map<String, Map<Long, TreeMap<Double, Long>>> exactValues(
      Dataset<Row> data, Map<String, Set<Long>> binsByFeature) {
    Map<String, Map<Long, TreeMap<Double, Long>>> out = new HashMap<>();
    Map<String, Set<Long>> wanted = binsByFeature.entrySet().stream()
        .filter(e -> !e.getValue().isEmpty())
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    if (wanted.isEmpty()) {
      return out;
    }
    List<Row> rows = candidateCells(data, wanted)
        .groupBy("feature", "key", "value")
        .agg(count(lit(1)).as("n"))
        .collectAsList();
    for (Row r : rows) {
      out.computeIfAbsent(r.getString(0), f -> new HashMap<>())
          .computeIfAbsent(r.getLong(1), k -> new TreeMap<>())
          .merge(r.getDouble(2), r.getLong(3), Long::sum);
    }
    return out;
  }

  /**
   * Where one candidate fine bin of one feature starts on each side: the counts before it, for
   * KS over all non-NaN values and for Wasserstein over the finite ones, and each side's totals.
   */
  public record BinStart(String feature, long key, long refBefore, long curBefore, long refTotal,
                         long curTotal, long refFiniteBefore, long curFiniteBefore,
                         long refFinite, long curFinite) {}

  /**
   * Per feature, over the values inside its candidate bins: the largest |F − G| at any value
   * (KS), the area ∫|F − G| inside the bins (Wasserstein) and how many values each side had.
   */
  public record BinStatistics(double ksMax, double area, long refCount, long curCount) {}

  /**
   * The exact part of KS and Wasserstein, computed on the executors: both sides' values in the
   * candidate bins are counted per distinct value, ordered inside each (feature, bin) only, and
   * reduced to one row per feature. No global sort, and only per-feature numbers reach the
   * driver. One filtered scan per side.
   */
  public static Map<String, BinStatistics> binStatistics(Dataset<Row> reference,
                                                         Dataset<Row> current,
                                                         List<BinStart> plan) {
    Map<String, BinStatistics> out = new HashMap<>();
    if (plan.isEmpty()) {
      return out;
    }
    Map<String, Set<Long>> wanted = new LinkedHashMap<>();
    plan.forEach(b -> wanted.computeIfAbsent(b.feature(), f -> new java.util.TreeSet<>()).add(b.key()));
    Dataset<Row> values = candidateCells(reference, wanted).withColumn("r", lit(1L)).withColumn("c", lit(0L))
        .unionByName(candidateCells(current, wanted).withColumn("r", lit(0L)).withColumn("c", lit(1L)))
        .groupBy("feature", "key", "value")
        .agg(sum("r").as("r"), sum("c").as("c"));
    StructType schema = new StructType().add("feature", DataTypes.StringType)
        .add("key", DataTypes.LongType);
    for (String name : List.of("refBefore", "curBefore", "refTotal", "curTotal", "refFiniteBefore",
        "curFiniteBefore", "refFinite", "curFinite")) {
      schema = schema.add(name, DataTypes.DoubleType);
    }
    List<Row> planRows = plan.stream().map(b -> RowFactory.create(b.feature(), b.key(),
        (double) b.refBefore(), (double) b.curBefore(), (double) b.refTotal(),
        (double) b.curTotal(), (double) b.refFiniteBefore(), (double) b.curFiniteBefore(),
        (double) b.refFinite(), (double) b.curFinite())).toList();
    Dataset<Row> starts = reference.sparkSession().createDataFrame(planRows, schema);
    WindowSpec inBin = Window.partitionBy("feature", "key").orderBy("value");
    Column cumRef = sum("r").over(inBin);
    Column cumCur = sum("c").over(inBin);
    Column ksDiff = functions.abs(col("refBefore").plus(cumRef).divide(col("refTotal"))
        .minus(col("curBefore").plus(cumCur).divide(col("curTotal"))));
    Column wDiff = when(col("refFinite").gt(0).and(col("curFinite").gt(0)), functions.abs(
        col("refFiniteBefore").plus(cumRef).divide(col("refFinite"))
            .minus(col("curFiniteBefore").plus(cumCur).divide(col("curFinite"))))).otherwise(0.0);
    Column next = functions.lead(col("value"), 1).over(inBin);
    List<Row> rows = values.join(functions.broadcast(starts), new String[] {"feature", "key"})
        .select(col("feature"), col("r"), col("c"), ksDiff.as("ks"),
            when(next.isNull(), lit(0.0)).otherwise(wDiff.multiply(next.minus(col("value"))))
                .as("area"))
        .groupBy("feature")
        .agg(max("ks"), sum("area"), sum("r"), sum("c"))
        .collectAsList();
    for (Row r : rows) {
      out.put(r.getString(0), new BinStatistics(r.getDouble(1), r.getDouble(2), r.getLong(3),
          r.getLong(4)));
    }
    return out;
  }

  private static Dataset<Row> candidateCells(Dataset<Row> data, Map<String, Set<Long>> wanted) {
    List<Column> cells = new ArrayList<>();
    Column keep = lit(false);
    for (Map.Entry<String, Set<Long>> e : wanted.entrySet()) {
      Column v = column(e.getKey()).cast("double");
      cells.add(struct(lit(e.getKey()).as("feature"), key(v).as("key"), v.as("value")));
      keep = keep.or(col("feature").equalTo(e.getKey())
          .and(col("key").isin(e.getValue().toArray())));
    }
    return data.select(explode(array(cells.toArray(Column[]::new))).as("cell"))
        .select("cell.*")
        .where(keep);
  }

  /** The {@link FineBins} key as a Spark expression (built-ins only, no UDF). */
  static Column key(Column v) {
    Column offset = lit(FineBins.OFFSET + 1);
    return when(v.isNull(), lit(null).cast("long"))
        .when(isnan(v), lit(NAN_KEY))
        .when(v.equalTo(Double.POSITIVE_INFINITY), lit(FineBins.INFINITY_KEY))
        .when(v.equalTo(Double.NEGATIVE_INFINITY), lit(-FineBins.INFINITY_KEY))
        .when(v.equalTo(0.0), lit(0L))
        .when(v.gt(0.0), floor(log2(v).multiply(FineBins.PER_OCTAVE)).plus(offset))
        .otherwise(floor(log2(functions.negate(v)).multiply(FineBins.PER_OCTAVE)).plus(offset).multiply(-1));
  }

  static Column column(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }

  private static Map<String, FeatureProfile> assemble(List<FeatureSpec> features, List<Row> rows,
                                                      ProfileOptions options) {
    Map<String, long[]> counts = new HashMap<>(); // rows, nulls, nans, other
    Map<String, TreeMap<Long, NumericProfile.Bin>> bins = new HashMap<>();
    Map<String, TreeMap<String, Long>> categories = new HashMap<>();
    Map<String, byte[]> hll = new HashMap<>();
    Map<String, byte[]> kll = new HashMap<>();
    for (Row r : rows) {
      String feature = r.getString(0);
      long n = r.getLong(4);
      long[] c = counts.computeIfAbsent(feature, f -> new long[4]);
      c[0] += n;
      if (r.isNullAt(1) && r.isNullAt(2)) {
        c[1] += n;
      } else if (!r.isNullAt(2)) {
        categories.computeIfAbsent(feature, f -> new TreeMap<>()).put(r.getString(2), n);
      } else if (r.getLong(1) == NAN_KEY) {
        c[2] += n;
      } else if (r.getLong(1) == OTHER_KEY) {
        c[3] += n;
      } else if (r.getLong(1) == HLL_KEY) {
        hll.put(feature, (byte[]) r.get(9));
      } else if (r.getLong(1) == KLL_KEY) {
        kll.merge(feature, (byte[]) r.get(10), Sketches::kllMerge);
      } else {
        bins.computeIfAbsent(feature, f -> new TreeMap<>()).put(r.getLong(1),
            new NumericProfile.Bin(n, r.getDouble(5), r.getDouble(6),
                r.isNullAt(7) ? 0.0 : r.getDouble(7), r.isNullAt(8) ? 0.0 : r.getDouble(8)));
      }
    }
    Map<String, FeatureProfile> profiles = new LinkedHashMap<>();
    for (FeatureSpec f : features) {
      long[] c = counts.getOrDefault(f.name(), new long[4]);
      profiles.put(f.name(), f.type() == FeatureType.NUMERIC
          ? new NumericProfile(f.name(), c[0], c[1], c[2],
              bins.getOrDefault(f.name(), new TreeMap<>()),
              options.kll() ? kll.get(f.name()) : null)
          : new CategoricalProfile(f.name(), c[0], c[1],
              categories.getOrDefault(f.name(), new TreeMap<>()), c[3], hll.get(f.name())));
    }
    return profiles;
  }
}
