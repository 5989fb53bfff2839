package io.driftlake.jobs.calibrate;

import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import io.driftlake.drift.config.Calibrated;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.DriverTable;
import io.driftlake.jobs.lake.KernelLake;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.lake.TableLookup;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code thresholds} Delta table: one row per (calibrate run, feature, method) with its
 * provenance (table and its Delta id, selection, rate, the version pairs used, the versions
 * excluded and skipped, when and by which run), appended in one commit per run (a rerun with the
 * same run id writes nothing). Drift reads the latest run of its current table
 * ({@link #applied}): its thresholds are the cascade's {@code calibrated} level.
 */
public final class Thresholds {
  /** The config switch: false, and drift ignores the thresholds table. */
  public static final String USE = "driftlake.calibrate.use-calibrated";

  public static final StructType SCHEMA = new StructType()
      .add("table", DataTypes.StringType, false)
      .add("table_id", DataTypes.StringType, false)
      .add("selection", DataTypes.StringType, false)
      .add("feature", DataTypes.StringType, false)
      .add("feature_type", DataTypes.StringType, false)
      .add("method", DataTypes.StringType, false)
      .add("threshold", DataTypes.DoubleType, false)
      .add("rule", DataTypes.StringType, false)
      .add("rate", DataTypes.DoubleType, false)
      .add("scores", DataTypes.LongType, false)
      .add("pairs", DataTypes.LongType, false)
      .add("pair_versions", DataTypes.createArrayType(DataTypes.StringType), false)
      .add("excluded_versions", DataTypes.createArrayType(DataTypes.LongType), false)
      .add("skipped_versions", DataTypes.createArrayType(DataTypes.LongType), false)
      .add("computed_at", DataTypes.TimestampType, false)
      .add("run_id", DataTypes.StringType, false);

  private Thresholds() {}

  /** The idempotency key of a calibrate run's rows. */
  static String key(String runId) {
    return "driftlake-calibrate:" + runId;
  }

  /** The rows of one calibration, all stamped with {@code runId} and {@code at}. */
  static List<Row> rows(Calibration.Result result, String runId, Timestamp at) {
    List<String> pairs = result.pairs().stream().map(Calibration.Pair::label).toList();
    List<Row> rows = new ArrayList<>();
    for (Calibration.Learned t : result.thresholds()) {
      rows.add(RowFactory.create(result.table(), result.tableId(), result.selection(),
          t.feature(), t.featureType(), t.method(), t.threshold(), t.rule(), result.rate(),
          (long) t.scores(), (long) result.pairs().size(), pairs, result.excluded(), result.skipped(), at,
          runId));
    }
    return rows;
  }

  /** Appends a calibration's rows in ONE commit; a rerun with the same run id writes nothing. */
  public static Lake.Append append(Lake lake, Calibration.Result result, String runId, Timestamp at) {
    return lake.append(lake.settings().tables().thresholds(),
        lake.spark().createDataFrame(rows(result, runId, at), SCHEMA),
        new CommitStamp("calibrate", runId, null, key(runId)));
  }

  /**
   * The latest calibration of {@code table} (its newest run, of this table's Delta id: a table
   * created again under the same name starts without), read on the driver; empty when there is
   * none.
   */
  public static Optional<Calibrated> latest(TableLookup lookup, String table) {
    Optional<DriverTable> stored = lookup.onDriver(lookup.settings().tables().thresholds());
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    String id;
    try {
      id = lookup.tableId(table);
    } catch (IllegalArgumentException e) { // no such table: nothing calibrated for it
      return Optional.empty();
    }
    List<Row> rows = stored.get().rows(SCHEMA,
        new Predicate("=", new Column("table"), Literal.ofString(table)),
        r -> table.equals(r.getAs("table")) && id.equals(r.getAs("table_id")));
    Optional<Row> newest = rows.stream().max(Comparator.comparing(
        (Row r) -> r.<Timestamp>getAs("computed_at")).thenComparing(r -> r.<String>getAs("run_id")));
    if (newest.isEmpty()) {
      return Optional.empty();
    }
    String run = newest.get().getAs("run_id");
    Map<String, Map<String, Double>> learned = new LinkedHashMap<>();
    rows.stream().filter(r -> run.equals(r.getAs("run_id"))).forEach(r -> learned
        .computeIfAbsent(r.getAs("feature"), f -> new LinkedHashMap<>())
        .put(r.getAs("method"), r.<Double>getAs("threshold")));
    Row r = newest.get();
    List<?> excluded = r.getList(r.fieldIndex("excluded_versions"));
    return Optional.of(new Calibrated(learned, String.format(Locale.ROOT, "calibrate run %s at "
        + "%s: false-alarm rate %s from %d pairs of consecutive %s:%s versions%s", run,
        r.<Timestamp>getAs("computed_at").toInstant(), r.<Double>getAs("rate"),
        r.<Long>getAs("pairs"), table, r.<String>getAs("selection"),
        excluded.isEmpty() ? "" : " (excluded: " + excluded + ")")));
  }

  /**
   * {@code drift} with the latest calibration of {@code table} as its calibrated level, unless
   * {@link #USE} is false or there is none.
   */
  public static DriftSettings applied(JobSettings settings, DriftSettings drift, String table) {
    if (!settings.config().getBoolean(USE)) {
      return drift;
    }
    return latest(new KernelLake(settings), table).map(drift::withCalibrated).orElse(drift);
  }
}
