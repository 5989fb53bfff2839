package io.driftlake.jobs.drift;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The drift results table: typed columns, one row per (run, feature, method). */
public final class DriftResults {
  public static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType, false)
      .add("computed_at", DataTypes.TimestampType, false)
      .add("reference_table", DataTypes.StringType, false)
      .add("reference_version", DataTypes.LongType, false)
      .add("reference_selection", DataTypes.StringType, false)
      .add("reference_rows", DataTypes.LongType, false)
      .add("current_table", DataTypes.StringType, false)
      .add("current_version", DataTypes.LongType, false)
      .add("current_selection", DataTypes.StringType, false)
      .add("current_rows", DataTypes.LongType, false)
      .add("feature", DataTypes.StringType, false)
      .add("feature_type", DataTypes.StringType, false)
      .add("method", DataTypes.StringType, false)
      .add("score", DataTypes.DoubleType, true)
      .add("p_value", DataTypes.DoubleType, true)
      .add("threshold", DataTypes.DoubleType, false)
      .add("drifted", DataTypes.BooleanType, false)
      .add("decided_by", DataTypes.StringType, false)
      .add("feature_drifted", DataTypes.BooleanType, false)
      .add("dataset_drifted", DataTypes.BooleanType, false)
      .add("reference_null_share", DataTypes.DoubleType, false)
      .add("current_null_share", DataTypes.DoubleType, false)
      .add("note", DataTypes.StringType, true)
      .add("conventions", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), false);

  private DriftResults() {}

  /** Appends the run's rows in one commit; a rerun with the same run id writes nothing. */
  static void append(Lake lake, DriftJob.DriftRun run) {
    append(lake, run, "driftlake-drift:" + run.runId());
  }

  /** Appends the run's rows in one commit; a second append with the same key writes nothing. */
  static void append(Lake lake, DriftJob.DriftRun run, String idempotencyKey) {
    List<Row> rows = new ArrayList<>();
    for (FeatureDrift f : run.report().features()) {
      for (MethodResult r : f.results()) {
        rows.add(RowFactory.create(run.runId(), run.computedAt(),
            run.reference().table(), run.reference().version().getAsLong(),
            run.reference().selection(), run.referenceRows(),
            run.current().table(), run.current().version().getAsLong(),
            run.current().selection(), run.currentRows(),
            f.feature(), f.type().id(), r.method(), r.score(), r.pValue(), r.threshold(),
            r.drifted(), f.decidedBy(), f.drifted(), run.report().drifted(),
            f.referenceNullShare(), f.currentNullShare(), r.note(),
            scala.jdk.javaapi.CollectionConverters.asScala(r.conventions())));
      }
    }
    lake.append(lake.settings().tables().driftResults(), lake.spark().createDataFrame(rows, SCHEMA),
        new CommitStamp("drift", run.runId(), null, idempotencyKey));
  }
}
