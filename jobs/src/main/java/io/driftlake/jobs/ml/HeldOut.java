package io.driftlake.jobs.ml;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import io.driftlake.drift.spark.ColumnNames;
import org.apache.spark.sql.Column;

/**
 * A model's held-out rows: a fixed share chosen by a hash of the row key, the same in every
 * version, so training leaves them out and evaluation scores exactly them.
 */
public final class HeldOut {
  private HeldOut() {}

  /** True on the held-out rows: {@code pmod(xxhash64(key), 100) < round(100 × testFraction)}. */
  public static Column rows(String key, double testFraction) {
    long percent = Math.round(testFraction * 100);
    return pmod(xxhash64(ColumnNames.col(key)), lit(100)).lt(percent);
  }
}
