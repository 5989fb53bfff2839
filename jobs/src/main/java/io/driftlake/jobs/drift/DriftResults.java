package io.driftlake.jobs.drift;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.SliceDrift;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The drift results table: typed columns, one row per (run, feature, method). Each row also
 * carries the job that compared ({@code drift}, {@code score} for prediction drift,
 * {@code evaluate} for label drift) and its comparison's dataset-level {@code status}
 * ({@link io.driftlake.drift.api.RunStatus#id()}) with the {@code reason}, so that a reader such
 * as the DAG's {@code decide} takes a run's verdict from the table alone, never from a report
 * file on some machine's disk. Rows written before these three columns existed hold nulls there.
 *
 * <p>With {@code driftlake.drift.slices}, each slice adds its rows per (slice, feature, method):
 * {@code slice} names it ({@code channel = app}, {@code age > 60}), the row counts, verdicts and
 * {@code feature_drifted} are the slice's, and {@code status}, {@code reason} and
 * {@code dataset_drifted} stay the whole run's. Whole-data rows have {@code slice} null: a reader
 * of the dataset's verdict keeps {@code slice IS NULL}.
 */
public final class DriftResults {
  /** The columns added after the table's first release, nullable; added to older tables. */
  static final List<String> ADDED_COLUMNS = List.of("job", "status", "reason", "slice");

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
      .add("conventions", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), false)
      .add("job", DataTypes.StringType, true)
      .add("status", DataTypes.StringType, true)
      .add("reason", DataTypes.StringType, true)
      .add("slice", DataTypes.StringType, true);

  /**
   * The feature and feature type of a dataset-level row (multivariate drift: one row per method,
   * its verdict in {@code drifted}, {@code decided_by} the method itself; {@code feature_drifted}
   * false, as it is no feature, so that a reader listing drifted features by it, such as the
   * DAG's decide, lists features only; null shares 0 as not applicable).
   */
  public static final String DATASET = "(dataset)";
  public static final String DATASET_TYPE = "dataset";

  private DriftResults() {}

  /** Appends the run's rows in one commit; a rerun with the same run id writes nothing. */
  static void append(Lake lake, DriftRun run) {
    append(lake, run, "drift", key(run.runId()));
  }

  /** The idempotency key of a drift run's result rows. */
  static String key(String runId) {
    return "driftlake-drift:" + runId;
  }

  /** The stamp of a drift run's result rows. */
  static CommitStamp stamp(DriftRun run) {
    return new CommitStamp("drift", run.runId(), null, key(run.runId()));
  }

  /** Appends the run's rows in one commit; a second append with the same key writes nothing. */
  static void append(Lake lake, DriftRun run, String job, String idempotencyKey) {
    String table = lake.settings().tables().driftResults();
    addColumns(lake, table);
    lake.append(table, lake.spark().createDataFrame(rows(run, job), SCHEMA),
        new CommitStamp("drift", run.runId(), null, idempotencyKey));
  }

  /**
   * One row per (feature, method) of the run, as compared by {@code job}, then one per (slice,
   * feature, method), most impact first.
   */
  static List<Row> rows(DriftRun run, String job) {
    List<Row> rows = new ArrayList<>();
    for (FeatureDrift f : run.report().features()) {
      for (MethodResult r : f.results()) {
        rows.add(row(run, job, null, run.referenceRows(), run.currentRows(), f, r));
      }
    }
    for (SliceDrift s : run.report().slices().ranked()) {
      for (FeatureDrift f : s.report().features()) {
        for (MethodResult r : f.results()) {
          rows.add(row(run, job, s.slice(), s.report().referenceRows(),
              s.report().currentRows(), f, r));
        }
      }
    }
    // Multivariate drift: dataset-level rows (docs/METHODS.md#multivariate-drift).
    for (MethodResult r : run.report().multivariate().results()) {
      rows.add(RowFactory.create(run.runId(), run.computedAt(),
          run.reference().table(), run.reference().version().getAsLong(),
          run.reference().selection(), run.referenceRows(),
          run.current().table(), run.current().version().getAsLong(),
          run.current().selection(), run.currentRows(),
          DATASET, DATASET_TYPE, r.method(), r.score(), r.pValue(), r.threshold(), r.drifted(),
          r.method(), false, run.report().drifted(), 0.0, 0.0, r.note(),
          scala.jdk.javaapi.CollectionConverters.asScala(r.conventions()),
          job, run.report().status().id(), run.report().reason(), null));
    }
    return rows;
  }

  /** One method's row; {@code slice} null for the whole data. */
  private static Row row(DriftRun run, String job, String slice, long referenceRows,
                         long currentRows, FeatureDrift f, MethodResult r) {
    return RowFactory.create(run.runId(), run.computedAt(),
        run.reference().table(), run.reference().version().getAsLong(),
        run.reference().selection(), referenceRows,
        run.current().table(), run.current().version().getAsLong(),
        run.current().selection(), currentRows,
        f.feature(), f.type().id(), r.method(), r.score(), r.pValue(), r.threshold(),
        r.drifted(), f.decidedBy(), f.drifted(), run.report().drifted(),
        f.referenceNullShare(), f.currentNullShare(), r.note(),
        scala.jdk.javaapi.CollectionConverters.asScala(r.conventions()),
        job, run.report().status().id(), run.report().reason(), slice);
  }

  /**
   * Adds {@link #ADDED_COLUMNS} (nullable) to a table written before they existed, once: a
   * concurrent writer that added them first is fine, whatever its commit made this one fail.
   */
  private static void addColumns(Lake lake, String table) {
    if (!lake.exists(table) || missing(lake, table).isEmpty()) {
      return;
    }
    try {
      lake.spark().sql(String.format("ALTER TABLE delta.`%s` ADD COLUMNS (%s)",
          lake.path(table).replace("`", "``"), String.join(", ",
              missing(lake, table).stream().map(c -> c + " STRING").toList())));
    } catch (RuntimeException e) {
      if (!missing(lake, table).isEmpty()) {
        throw e;
      }
    }
  }

  private static List<String> missing(Lake lake, String table) {
    List<String> present = List.of(lake.spark().read().format("delta").load(lake.path(table))
        .schema().fieldNames());
    return ADDED_COLUMNS.stream().filter(c -> !present.contains(c)).toList();
  }
}
