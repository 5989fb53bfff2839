package io.driftlake.examples;

import static io.driftlake.drift.store.DeltaVersionStore.version;
import static org.apache.spark.sql.functions.col;

import io.driftlake.drift.Drift;
import io.driftlake.drift.store.DeltaVersionStore;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** A user's Spark job: drift of two DataFrames, then of two Delta versions. Args: path, shift. */
public final class MyDriftJob {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[1]").appName("my-drift")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog",
            "org.apache.spark.sql.delta.catalog.DeltaCatalog").getOrCreate();
    Dataset<Row> reference = spark.range(1000)
        .selectExpr("CAST(id % 100 AS DOUBLE) AS x", "CAST(id % 3 AS STRING) AS city");
    Dataset<Row> current = reference.withColumn("x", col("x").plus(Double.parseDouble(args[1])));
    System.out.println("dataframes drifted: " + Drift.between(reference, current).run().drifted());
    reference.write().format("delta").save(args[0]); // version 0
    current.write().format("delta").mode("overwrite").save(args[0]); // version 1
    var store = new DeltaVersionStore(spark);
    var versions = Drift.between(store, version(args[0], 0), version(args[0], 1)).run();
    System.out.println("versions drifted: " + versions.drifted());
  }
}
