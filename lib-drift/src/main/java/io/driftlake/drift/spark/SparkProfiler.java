package io.driftlake.drift.spark;

import static org.apache.spark.sql.functions.array;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Profiles every feature of a selection in ONE aggregation over ONE scan: each row is unpivoted
 * into (feature, fine-bin key | category, value) and grouped, so the result has one small row per
 * (feature, bin) or (feature, category), never per input row.
 */
public final class SparkProfiler {
  /** Key of NaN values: outside every real key, counted apart from the distribution. */
  static final long NAN_KEY = Long.MIN_VALUE;

  private SparkProfiler() {}

  public static Map<String, FeatureProfile> profile(Dataset<Row> data, List<FeatureSpec> features) {
    if (features.isEmpty()) {
      return Map.of();
    }
    List<Column> cells = new ArrayList<>();
    for (FeatureSpec f : features) {
      if (f.type() == FeatureType.NUMERIC) {
        Column v = column(f.name()).cast("double");
        cells.add(struct(lit(f.name()).as("feature"), key(v).as("key"),
            lit(null).cast("string").as("category"), v.as("value")));
      } else {
        cells.add(struct(lit(f.name()).as("feature"), lit(null).cast("long").as("key"),
            column(f.name()).cast("string").as("category"), lit(null).cast("double").as("value")));
      }
    }
    Column finite = col("value").isNotNull().and(col("key").between(
        -FineBins.INFINITY_KEY + 1, FineBins.INFINITY_KEY - 1));
    List<Row> rows = data.select(explode(array(cells.toArray(Column[]::new))).as("cell"))
        .select("cell.*")
        .groupBy("feature", "key", "category")
        .agg(count(lit(1)).as("n"), min("value").as("min"), max("value").as("max"),
            sum(when(finite, col("value"))).as("sum"),
            sum(when(finite, col("value").multiply(col("value")))).as("sum_squares"))
        .collectAsList();
    return assemble(features, rows);
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
    List<Column> cells = new ArrayList<>();
    Column keep = lit(false);
    for (Map.Entry<String, Set<Long>> e : wanted.entrySet()) {
      Column v = column(e.getKey()).cast("double");
      cells.add(struct(lit(e.getKey()).as("feature"), key(v).as("key"), v.as("value")));
      keep = keep.or(col("feature").equalTo(e.getKey())
          .and(col("key").isin(e.getValue().toArray())));
    }
    List<Row> rows = data.select(explode(array(cells.toArray(Column[]::new))).as("cell"))
        .select("cell.*")
        .where(keep)
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

  private static Map<String, FeatureProfile> assemble(List<FeatureSpec> features, List<Row> rows) {
    Map<String, long[]> counts = new HashMap<>(); // rows, nulls, nans
    Map<String, TreeMap<Long, NumericProfile.Bin>> bins = new HashMap<>();
    Map<String, TreeMap<String, Long>> categories = new HashMap<>();
    for (Row r : rows) {
      String feature = r.getString(0);
      long n = r.getLong(3);
      long[] c = counts.computeIfAbsent(feature, f -> new long[3]);
      c[0] += n;
      if (r.isNullAt(1) && r.isNullAt(2)) {
        c[1] += n;
      } else if (!r.isNullAt(2)) {
        categories.computeIfAbsent(feature, f -> new TreeMap<>()).put(r.getString(2), n);
      } else if (r.getLong(1) == NAN_KEY) {
        c[2] += n;
      } else {
        bins.computeIfAbsent(feature, f -> new TreeMap<>()).put(r.getLong(1),
            new NumericProfile.Bin(n, r.getDouble(4), r.getDouble(5),
                r.isNullAt(6) ? 0.0 : r.getDouble(6), r.isNullAt(7) ? 0.0 : r.getDouble(7)));
      }
    }
    Map<String, FeatureProfile> profiles = new LinkedHashMap<>();
    for (FeatureSpec f : features) {
      long[] c = counts.getOrDefault(f.name(), new long[3]);
      profiles.put(f.name(), f.type() == FeatureType.NUMERIC
          ? new NumericProfile(f.name(), c[0], c[1], c[2],
              bins.getOrDefault(f.name(), new TreeMap<>()))
          : new CategoricalProfile(f.name(), c[0], c[1],
              categories.getOrDefault(f.name(), new TreeMap<>())));
    }
    return profiles;
  }
}
