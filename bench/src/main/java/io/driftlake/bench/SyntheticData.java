package io.driftlake.bench;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.spark.ColumnNames;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The bench's tables and reference work: seeded synthetic versions of N rows × F numeric + C
 * categorical features, a plain scan of every feature, and Spark's own sketch aggregates.
 */
final class SyntheticData {
  private final SparkSession spark;
  private final long rows;
  private final int numeric;
  private final int categorical;
  private final long seed;
  private final List<FeatureSpec> features = new ArrayList<>();

  SyntheticData(SparkSession spark, long rows, int numeric, int categorical, long seed) {
    this.spark = spark;
    this.rows = rows;
    this.numeric = numeric;
    this.categorical = categorical;
    this.seed = seed;
    for (int i = 0; i < numeric; i++) {
      features.add(new FeatureSpec("n" + i, FeatureType.NUMERIC));
    }
    for (int j = 0; j < categorical; j++) {
      features.add(new FeatureSpec("c" + j, FeatureType.CATEGORICAL));
    }
  }

  List<FeatureSpec> features() {
    return features;
  }

  /** Seeded columns of four shapes (normal, lognormal, counts, rounded uniform), 1 % nulls. */
  Dataset<Row> data(double shift, long n) {
    int partitions = (int) Math.max(2, n / 1_000_000);
    long base = seed * 1000 + (shift == 0 ? 0 : 500) + (n == rows ? 0 : 300);
    List<Column> cols = new ArrayList<>();
    for (int i = 0; i < numeric; i++) {
      double s = shift * 0.05 * (i % 3);
      Column v = switch (i % 4) {
        case 0 -> randn(base + i).plus(s).multiply(10).plus(100);
        case 1 -> exp(randn(base + i).multiply(0.8).plus(3 + s));
        case 2 -> floor(exp(randn(base + i).plus(s)).multiply(3));
        default -> round(rand(base + i).plus(s), 2);
      };
      cols.add(when(rand(base + 100 + i).lt(0.01), lit(null)).otherwise(v).cast("double")
          .as("n" + i));
    }
    for (int j = 0; j < categorical; j++) {
      int k = 5 + 10 * j;
      Column u = shift == 0 ? pow(rand(base + 200 + j), 2) : pow(rand(base + 200 + j), 1.8);
      cols.add(concat(lit("k"), floor(u.multiply(k)).cast("string")).as("c" + j));
    }
    return spark.range(0, n, 1, partitions).select(cols.toArray(Column[]::new));
  }

  Object scan(Dataset<Row> data) {
    List<Column> aggs = new ArrayList<>();
    for (FeatureSpec f : features) {
      aggs.add(f.type() == FeatureType.NUMERIC ? sum(ColumnNames.col(f.name())) : count(ColumnNames.col(f.name())));
    }
    return data.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).collectAsList();
  }

  /**
   * Spark's own sketch aggregates over every feature in one aggregation: kll_sketch_agg_double
   * per numeric (k = 200, as our optional KLL), hll_sketch_agg (lgConfigK 12, as ours) and
   * approx_top_k_accumulate (1 000 items, our categorical cap) per categorical.
   */
  Object sparkSketches(Dataset<Row> data) {
    List<Column> aggs = new ArrayList<>();
    for (FeatureSpec f : features) {
      String c = ColumnNames.quote(f.name());
      if (f.type() == FeatureType.NUMERIC) {
        aggs.add(expr("kll_sketch_agg_double(CAST(" + c + " AS DOUBLE), 200)"));
      } else {
        aggs.add(expr("hll_sketch_agg(" + c + ", 12)"));
        aggs.add(expr("approx_top_k_accumulate(" + c + ", 1000)"));
      }
    }
    return data.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new)).collectAsList();
  }
}
