package io.driftlake.drift.spark.multivariate;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.driftlake.drift.config.MultivariateSettings;
import io.driftlake.drift.spark.ColumnNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

/**
 * The rows both multivariate methods learn from: a seeded Bernoulli sample of each side (at most
 * about {@code sample-rows}), labelled {@value #LABEL} 0 (reference) and 1 (current), each row
 * given a cross-validation fold and a PCA chunk from seeded uniforms, cached once (memory and
 * disk) so that every later pass reads the same rows without a scan; {@link #release} drops it.
 *
 * <p>Missing numbers (null, NaN, ±∞) become the reference sample's mean of that column (what
 * NannyML's PCA does too); for the classifier a column with any missing number also gets a 0/1
 * indicator column, so a change in how often a value is missing is visible to it. Categorical
 * values are strings; a null stays null (the indexer's own "keep" bucket).
 */
final class Sample {
  static final String LABEL = "_dl_label";
  static final String FOLD = "_dl_fold";
  static final String CHUNK = "_dl_chunk";

  private Dataset<Row> rows;
  /** The numeric feature → its column in {@link #rows}, missing values imputed. */
  final Map<String, String> numeric = new LinkedHashMap<>();
  /** The numeric features with a missing value in either sample → their indicator column. */
  final Map<String, String> missing = new LinkedHashMap<>();
  /** The categorical feature → its (string) column in {@link #rows}. */
  final Map<String, String> categorical = new LinkedHashMap<>();
  /** Distinct non-null values of each categorical feature in the two samples. */
  final Map<String, Long> distinct = new LinkedHashMap<>();
  final double[] fractions;
  final long[] sides = new long[2];
  /** Rows per (side, fold): [side][fold]. */
  final long[][] folds;

  private final Dataset<Row> cached;

  private Sample(Dataset<Row> rows, double[] fractions, int folds) {
    this.rows = rows;
    this.cached = rows;
    this.fractions = fractions;
    this.folds = new long[2][folds];
  }

  /** The sample of both sides with {@code numeric} and {@code categorical} feature columns. */
  static Sample of(Dataset<Row> reference, Dataset<Row> current, long referenceRows,
                   long currentRows, List<String> numeric, List<String> categorical,
                   MultivariateSettings settings) {
    double[] fractions = {fraction(settings.sampleRows(), referenceRows),
        fraction(settings.sampleRows(), currentRows)};
    Dataset<Row> both = side(reference, numeric, categorical, fractions[0], settings.seed(), 0)
        .unionByName(side(current, numeric, categorical, fractions[1], settings.seed() + 1, 1))
        .withColumn(FOLD, floor(rand(settings.seed() + 2).multiply(settings.folds())).cast("int"))
        .withColumn(CHUNK, floor(rand(settings.seed() + 3).multiply(settings.chunks()))
            .cast("int"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    Sample sample = new Sample(both, fractions, settings.folds());
    for (int i = 0; i < numeric.size(); i++) {
      sample.numeric.put(numeric.get(i), "_dl_n" + i);
    }
    for (int i = 0; i < categorical.size(); i++) {
      sample.categorical.put(categorical.get(i), "_dl_c" + i);
    }
    return sample.impute();
  }

  private static double fraction(int sampleRows, long rows) {
    return rows <= 0 ? 1 : Math.min(1.0, (double) sampleRows / rows);
  }

  private static Dataset<Row> side(Dataset<Row> data, List<String> numeric,
                                   List<String> categorical, double fraction, long seed,
                                   int label) {
    List<Column> columns = new ArrayList<>();
    for (int i = 0; i < numeric.size(); i++) {
      Column v = ColumnNames.col(numeric.get(i)).cast(DataTypes.DoubleType);
      // NaN and ±∞ are missing numbers too: no mean, no standardization survives them.
      columns.add(when(isnan(v).or(abs(v).equalTo(Double.POSITIVE_INFINITY)), lit(null)
          .cast(DataTypes.DoubleType)).otherwise(v).as("_dl_n" + i));
    }
    for (int i = 0; i < categorical.size(); i++) {
      columns.add(ColumnNames.col(categorical.get(i)).cast(DataTypes.StringType).as("_dl_c" + i));
    }
    columns.add(lit(label).as(LABEL));
    Dataset<Row> selected = data.select(columns.toArray(Column[]::new));
    return fraction >= 1 ? selected : selected.sample(false, fraction, seed);
  }

  /**
   * Counts the rows per side and fold, the missing numbers and the distinct categories in one
   * pass, then fills each numeric column's gaps with the reference sample's mean (0 when the
   * reference has none) and adds the missing-value indicators.
   */
  private Sample impute() {
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)));
    for (String c : numeric.values()) {
      aggs.add(avg(when(col(LABEL).equalTo(0), col(c))));
      aggs.add(sum(when(col(c).isNull(), 1).otherwise(0)));
    }
    for (String c : categorical.values()) {
      aggs.add(countDistinct(col(c)));
    }
    Row totals = rows.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new))
        .first();
    for (Row r : rows.groupBy(LABEL, FOLD).count().collectAsList()) {
      int side = r.getInt(0);
      sides[side] += r.getLong(2);
      folds[side][r.getInt(1)] += r.getLong(2);
    }
    Dataset<Row> filled = rows;
    int i = 1;
    for (Map.Entry<String, String> e : new ArrayList<>(numeric.entrySet())) {
      double mean = totals.isNullAt(i) ? 0 : totals.getDouble(i);
      long gaps = totals.getLong(i + 1);
      i += 2;
      if (gaps > 0) {
        String indicator = e.getValue() + "_missing";
        missing.put(e.getKey(), indicator);
        filled = filled.withColumn(indicator, when(col(e.getValue()).isNull(), 1.0)
            .otherwise(0.0));
      }
      filled = filled.withColumn(e.getValue(), org.apache.spark.sql.functions.coalesce(
          col(e.getValue()), lit(mean)));
    }
    for (String name : categorical.keySet()) {
      distinct.put(name, totals.getLong(i++));
    }
    rows = filled;
    return this;
  }

  /** Drops the cached sample. */
  void release() {
    cached.unpersist();
  }

  /** The sampled rows, missing numbers filled, with the indicator columns. */
  Dataset<Row> rows() {
    return rows;
  }
}
