package io.driftlake.jobs.generate;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.when;

import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Seeded synthetic credit applications. Skewed numerics (lognormal income and loan amount, a
 * geometric count of late payments), categoricals (employment type gains a 'gig' category only
 * under drift), ~2 % nulls, two columns with a space or a non-ASCII letter in their names
 * ({@link #TENURE}, {@link #REGION}), and a default label driven by the features.
 * {@code drift} in [0, 1] shifts the features AND the feature→label relationship (concept drift).
 */
@Command(name = "generate", sortOptions = false,
    description = "Writes a synthetic batch of the demo's "
    + "customer data, optionally drifted.")
public final class GenerateJob implements Callable<Integer> {
  /**
   * Two columns named as real-world headers often are, so that every demo run (and the DAG)
   * goes through Delta column mapping and quoted names: a space, and a non-ASCII letter.
   */
  public static final String TENURE = "tenure in months";
  public static final String REGION = "région";
  /** Partitions of the generated range: fixed, so a seed always gives the same rows. */
  private static final int PARTITIONS = 2;

  @Mixin private JobOptions options;

  @Option(names = "--output", paramLabel = "PATH", required = true, description = "Where to write.")
  private String output;

  @Option(names = "--rows", paramLabel = "N", defaultValue = "10000",
      description = "Rows (default: ${DEFAULT-VALUE}).")
  private long rows;

  @Option(names = "--batch", paramLabel = "I", defaultValue = "0",
      description = "Batch number, part of the keys and the seed (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(names = "--drift", paramLabel = "0..1", defaultValue = "0",
      description = "Drift strength (default: ${DEFAULT-VALUE}).")
  private double drift;

  @Option(names = "--seed", paramLabel = "S", description = "Seed (default: driftlake.demo.seed).")
  private Long seed;

  @Option(names = "--format", paramLabel = "parquet|csv", defaultValue = "parquet",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  private String format;

  private GenerateJob() {}

  public static void main(String[] args) {
    JobMain.run(new GenerateJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    long seed = Optional.ofNullable(this.seed).orElse(settings.demo().seed());
    try (SparkSession spark = Sparks.session(settings, "generate")) {
      write(batch(spark, rows, batch, drift, seed), output, format);
      System.out.printf("generate: wrote %d rows of batch %d (drift %.2f) to %s%n",
          rows, batch, drift, output);
    }
    return 0;
  }

  public static void write(Dataset<Row> data, String output, String format) {
    if (!format.equals("parquet") && !format.equals("csv")) {
      throw new IllegalArgumentException("--format must be parquet or csv: " + format);
    }
    data.coalesce(1).write().mode("overwrite").option("header", "true").format(format).save(output);
  }

  public static Dataset<Row> batch(SparkSession spark, long rows, int batch, double drift, long seed) {
    if (rows <= 0) {
      throw new IllegalArgumentException("--rows must be positive: " + rows);
    }
    if (drift < 0 || drift > 1) {
      throw new IllegalArgumentException("--drift must be in [0, 1]: " + drift);
    }
    long s = seed * 1_000 + batch * 37L;
    Column d = lit(drift);
    Column u = rand(s + 5);
    Dataset<Row> base = spark.range(0, rows, 1, PARTITIONS).select(
        concat(lit("b" + batch + "-"), col("id").cast("string")).as("customer_id"),
        least(lit(90), lit(18).plus(floor(abs(randn(s + 1)).multiply(14))
            .plus(floor(rand(s + 2).multiply(8)))).plus(floor(d.multiply(6)))).cast("int").as("age"),
        exp(randn(s + 3).multiply(0.5).plus(10.8)).multiply(lit(1).minus(d.multiply(0.35)))
            .as("income"),
        exp(randn(s + 4).multiply(0.6).plus(9.5)).multiply(lit(1).plus(d.multiply(0.5)))
            .as("loan_amount"),
        pow(rand(s + 6), lit(1.6).multiply(lit(1).minus(d.multiply(0.5)))).as("credit_utilization"),
        floor(log(rand(s + 7).plus(1e-12)).multiply(-1).multiply(lit(0.6).plus(d.multiply(1.2))))
            .cast("int").as("late_payments"),
        floor(rand(s + 8).multiply(120)).cast("int").as(TENURE),
        when(u.lt(d.multiply(0.3)), "gig")
            .when(u.lt(lit(0.55).plus(d.multiply(0.3).multiply(0.45))), "salaried")
            .when(u.lt(lit(0.75).plus(d.multiply(0.3).multiply(0.25))), "self_employed")
            .when(u.lt(lit(0.9).plus(d.multiply(0.3).multiply(0.1))), "contractor")
            .otherwise("unemployed").as("employment_type"),
        when(rand(s + 9).lt(0.25), "north").when(rand(s + 9).lt(0.5), "south")
            .when(rand(s + 9).lt(0.75), "east").otherwise("west").as(REGION),
        when(rand(s + 10).lt(lit(0.3).plus(d.multiply(0.4))), "online")
            .when(rand(s + 10).lt(0.8), "branch").otherwise("partner").as("channel"),
        rand(s + 11).as("label_u"),
        rand(s + 12).as("null_u"));

    // Concept drift: utilisation and the gig economy weigh more on default as drift grows.
    Column logit = lit(-3.2)
        .plus(col("credit_utilization").multiply(lit(2.2).plus(d.multiply(2.5))))
        .minus(log(col("income").divide(50_000)).multiply(0.7))
        .plus(col("late_payments").multiply(0.45))
        .plus(col("loan_amount").divide(col("income")).multiply(0.8))
        .plus(when(col("employment_type").equalTo("unemployed"), 0.9).otherwise(0.0))
        .plus(when(col("employment_type").equalTo("gig"), d.multiply(1.2)).otherwise(0.0))
        .minus(ColumnNames.col(TENURE).divide(120).multiply(0.4));
    Column probability = lit(1).divide(lit(1).plus(exp(logit.multiply(-1))));
    Column defaulted = when(col("label_u").lt(coalesce(probability, lit(0.2))), 1).otherwise(0);

    // About 2 % nulls, each in one of three columns, after the label has seen the true values.
    Column nu = col("null_u");
    return base.withColumn("defaulted", defaulted.cast("int"))
        .withColumn("income", when(nu.lt(0.02 / 3), null).otherwise(col("income")))
        .withColumn(TENURE, when(nu.geq(0.02 / 3).and(nu.lt(0.04 / 3)), null)
            .otherwise(ColumnNames.col(TENURE)))
        .withColumn("employment_type",
            when(nu.geq(0.04 / 3).and(nu.lt(0.02)), null).otherwise(col("employment_type")))
        .drop("label_u", "null_u");
  }
}
