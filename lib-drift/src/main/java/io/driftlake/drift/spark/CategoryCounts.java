package io.driftlake.drift.spark;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Every category of some categorical features counted on both sides, in ONE Spark job: each side
 * is scanned once (its features' values unpivoted into (feature, value) pairs), and one grouped
 * aggregation over both sides counts each (feature, value) per side. Used in exact mode for the
 * features whose profile is capped, so that the drift methods and the new/vanished-category
 * checks see every category, not a top-k and an "other" bucket.
 */
final class CategoryCounts {
  private CategoryCounts() {}

  /**
   * Complete profiles of the named features of both sides: the capped {@code reference} and
   * {@code current} profiles with their counts replaced by every category's true count (rows,
   * nulls and the distinct sketch as they were). The counted values must add up to each
   * profile's non-null values, or the data changed since it was profiled: an error.
   */
  static List<Map<String, FeatureProfile>> count(Dataset<Row> reference, Dataset<Row> current,
                                                 List<String> features,
                                                 Map<String, FeatureProfile> refProfiles,
                                                 Map<String, FeatureProfile> curProfiles) {
    List<TreeMap<String, Long>> refCounts = new ArrayList<>();
    List<TreeMap<String, Long>> curCounts = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      refCounts.add(new TreeMap<>());
      curCounts.add(new TreeMap<>());
    }
    Dataset<Row> both = pairs(reference, 0, features).unionByName(pairs(current, 1, features));
    List<Row> grouped = both.groupBy("f", "v")
        .agg(sum(when(col("side").equalTo(0), 1L).otherwise(0L)).as("r"),
            sum(when(col("side").equalTo(1), 1L).otherwise(0L)).as("c"))
        .collectAsList();
    for (Row row : grouped) {
      int f = row.getInt(0);
      String value = row.getString(1);
      long r = row.getLong(2);
      long c = row.getLong(3);
      if (r > 0) {
        refCounts.get(f).put(value, r);
      }
      if (c > 0) {
        curCounts.get(f).put(value, c);
      }
    }
    Map<String, FeatureProfile> ref = new LinkedHashMap<>();
    Map<String, FeatureProfile> cur = new LinkedHashMap<>();
    for (int i = 0; i < features.size(); i++) {
      String name = features.get(i);
      ref.put(name, complete((CategoricalProfile) refProfiles.get(name), refCounts.get(i),
          "reference"));
      cur.put(name, complete((CategoricalProfile) curProfiles.get(name), curCounts.get(i),
          "current"));
    }
    return List.of(ref, cur);
  }

  /** One side's (side, feature index, value) of every non-null value of the features. */
  private static Dataset<Row> pairs(Dataset<Row> data, int side, List<String> features) {
    Column[] values = new Column[features.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = struct(lit(i).as("f"),
          ColumnNames.col(features.get(i)).cast("string").as("v"));
    }
    Column unpivoted = values.length == 1 ? values[0] : explode(array(values));
    return data.select(lit(side).as("side"), unpivoted.as("e")).select(col("side"), col("e.f").as("f"), col("e.v").as("v"))
        .where(col("v").isNotNull());
  }

  private static CategoricalProfile complete(CategoricalProfile capped, TreeMap<String, Long> counts,
                                             String side) {
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    if (total != capped.valid()) {
      throw new IllegalStateException(String.format(
          "Exact category counts of feature '%s' in the %s selection add up to %d values, but "
              + "its profile has %d non-null values: the data changed since it was profiled",
          capped.feature(), side, total, capped.valid()));
    }
    return new CategoricalProfile(capped.feature(), capped.rows(), capped.nulls(), counts, 0,
        capped.distinctSketch());
  }
}
