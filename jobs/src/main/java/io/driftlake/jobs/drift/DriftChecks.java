package io.driftlake.jobs.drift;

import io.driftlake.drift.api.CheckResult;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The drift checks table: typed columns, one row per (run, column, data-quality check). */
public final class DriftChecks {
  public static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType, false)
      .add("computed_at", DataTypes.TimestampType, false)
      .add("reference_table", DataTypes.StringType, false)
      .add("reference_version", DataTypes.LongType, false)
      .add("reference_selection", DataTypes.StringType, false)
      .add("current_table", DataTypes.StringType, false)
      .add("current_version", DataTypes.LongType, false)
      .add("current_selection", DataTypes.StringType, false)
      .add("feature", DataTypes.StringType, false)
      .add("check", DataTypes.StringType, false)
      .add("value", DataTypes.DoubleType, true)
      .add("threshold", DataTypes.DoubleType, true)
      .add("failed", DataTypes.BooleanType, false)
      .add("detail", DataTypes.StringType, false);

  private DriftChecks() {}

  /** Appends the run's check rows in one commit; a rerun with the same run id writes nothing. */
  static void append(Lake lake, DriftRun run) {
    lake.append(lake.settings().tables().driftChecks(),
        lake.spark().createDataFrame(rows(run), SCHEMA), stamp(run));
  }

  /** The stamp of a run's check rows: its run id is the idempotency key. */
  static CommitStamp stamp(DriftRun run) {
    return new CommitStamp("drift", run.runId(), null, key(run.runId()));
  }

  /** The idempotency key of a drift run's check rows. */
  static String key(String runId) {
    return "driftlake-drift-checks:" + runId;
  }

  /** One row per check result of the run. */
  static List<Row> rows(DriftRun run) {
    List<Row> rows = new ArrayList<>();
    for (CheckResult c : run.checks()) {
      rows.add(RowFactory.create(run.runId(), run.computedAt(),
          run.reference().table(), run.reference().version().getAsLong(),
          run.reference().selection(),
          run.current().table(), run.current().version().getAsLong(),
          run.current().selection(),
          c.feature(), c.check(), c.value(), c.threshold(), c.failed(), c.detail()));
    }
    return rows;
  }
}
