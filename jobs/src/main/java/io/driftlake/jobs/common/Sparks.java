package io.driftlake.jobs.common;

import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession of a job. Only what correctness needs is set in code (the Delta extension and
 * catalog); master, sizing and the rest come from spark-submit or bin/driftlake.
 */
public final class Sparks {
  private Sparks() {}

  public static SparkSession session(JobSettings settings, String job) {
    return SparkSession.builder()
        .appName(settings.appName() + "-" + job)
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
  }
}
