package io.driftlake.jobs.drift;

import io.driftlake.drift.Drift;
import io.driftlake.drift.DriftResult;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.config.MultivariateSettings;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.report.DriftReportHtml;
import io.driftlake.drift.report.DriftReportJson;
import io.driftlake.drift.report.DriftReportText;
import io.driftlake.drift.report.ReportRun;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.jobs.calibrate.Thresholds;
import io.driftlake.jobs.common.Console;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.common.PausePoints;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.common.UsageException;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileStore;
import io.driftlake.jobs.registry.Evaluations;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.Registry;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Drift of every shared feature between two table selections. Results go to the drift results
 * table and {@code drift.json}; "drift found" is data there, never the exit code. Data-quality
 * checks go to the drift checks table and {@code drift.json}, and {@code drift.html} shows both.
 *
 * <p>Only columns both selections have, with the same feature type, are compared; a column added,
 * removed or retyped is a schema check result ({@code column_added}, …), never an error.
 *
 * <p>Defaults: reference = the table version the champion (or, with none yet, the latest model)
 * was trained on; current = the rows the latest production version added
 * ({@code production@latest:added}).
 */
@Command(name = "drift", sortOptions = false, description = "Drift of every shared feature "
    + "between two table selections, data-quality checks, drift.json and drift.html. Drift found "
    + "is data (exit 0).")
public final class DriftJob implements Callable<Integer> {

  @Mixin private JobOptions options;

  @Option(names = "--reference", paramLabel = "REF", description = "Reference selection, "
      + "NAME[@VERSION|@latest|@TIMESTAMP][:added] (default: the version the champion, or the "
      + "latest model, was trained on).")
  private String reference;

  @Option(names = "--current", paramLabel = "REF",
      description = "Current selection (default: production@latest:added).")
  private String current;

  @Option(names = "--reference-where", paramLabel = "SQL",
      description = "Row filter on the reference selection (needs --reference).")
  private String referenceWhere;

  @Option(names = "--current-where", paramLabel = "SQL",
      description = "Row filter on the current selection (needs --current).")
  private String currentWhere;

  @Option(names = "--mode", paramLabel = "exact|approximate|profiles",
      description = "exact: passes over both sides' data; approximate: from the profiles, "
          + "undecided features settled from their columns; profiles: from the stored profiles "
          + "only, never a data row, no SparkSession when both are stored (default: "
          + "driftlake.drift.statistics-mode).")
  private String mode;

  @Option(names = "--report-dir", paramLabel = "DIR",
      description = "Where drift.json and drift.html go (default: under the lake root).")
  private String reportDir;

  @Option(names = "--run-id", paramLabel = "ID",
      description = "Run id recorded with the results (default: a new one); a rerun with the "
          + "same id writes nothing twice.")
  private String runId;

  @Option(names = "--exit-code", paramLabel = "status|zero", defaultValue = "status",
      description = "status: exit 3 incomplete / 4 not computable; zero: always 0 once the "
          + "results are written (default: ${DEFAULT-VALUE}).")
  private String exitCode;

  private DriftJob() {}

  public static void main(String[] args) {
    JobMain.run(new DriftJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    if (!exitCode.equals("status") && !exitCode.equals("zero")) {
      throw new UsageException("--exit-code must be status or zero: " + exitCode);
    }
    JobSettings settings = JobSettings.load(options.config());
    String runId = Optional.ofNullable(this.runId).orElseGet(CommitStamp::newRunId);
    Optional<DriftSettings.StatisticsMode> mode = Optional.ofNullable(this.mode)
        .map(m -> DriftSettings.StatisticsMode.of(m, "--mode"));
    Optional<TableRef> reference = selection(Optional.ofNullable(this.reference),
        Optional.ofNullable(referenceWhere), "--reference-where");
    Optional<TableRef> current = selection(Optional.ofNullable(this.current),
        Optional.ofNullable(currentWhere), "--current-where");
    Optional<Location> reportDir = Optional.ofNullable(this.reportDir)
        .map(d -> Location.parse(d, "--report-dir"));
    // Both sides' profiles stored and no exact pass asked for: no SparkSession at all.
    Optional<DriftRun> profiled = ProfiledDrift.run(settings, reference, current, reportDir, runId,
        mode);
    DriftRun run;
    if (profiled.isPresent()) {
      run = profiled.get();
      System.out.println("drift: both sides' profiles are stored; compared and written with "
          + "Delta Kernel, no SparkSession");
    } else {
      try (SparkSession spark = Sparks.session(settings, "drift")) {
        run = Console.stage("drift", String.format("profiling and comparing %s with %s",
            reference.map(TableRef::toString).orElse("the champion's training data"),
            current.map(TableRef::toString).orElse("production@latest:added")),
            () -> runReportingTo(new Lake(spark, settings), reference, current, reportDir, runId,
                mode));
      }
    }
    System.out.print(DriftReportText.render(run.toReport(settings.drift())));
    System.out.println("drift: report written to " + run.reportFile() + " and " + run.htmlFile());
    int exit = run.report().status().exitCode();
    // Results are written; the exit code says when the verdict is incomplete or not computable,
    // unless --exit-code zero (the DAG reads the status from drift.json instead).
    return exitCode.equals("status") ? exit : 0;
  }

  /** A selection option with its optional row filter; a filter without a selection is an error. */
  private static Optional<TableRef> selection(Optional<String> ref, Optional<String> where,
                                              String whereOption) {
    if (ref.isEmpty() && where.isPresent()) {
      throw new IllegalArgumentException(whereOption + " needs the selection it filters: "
          + whereOption.replace("-where", ""));
    }
    return ref.map(TableRef::parse).map(r -> r.where(where));
  }

  public static DriftRun run(Lake lake, Optional<TableRef> reference, Optional<TableRef> current,
                             Optional<java.nio.file.Path> reportDir, String runId) {
    return run(lake, reference, current, reportDir, runId, Optional.empty());
  }

  /**
   * Profiles each side (from the profiles table when stored, incrementally after appends, else
   * one scan), compares them, and writes the new profiles, the results and drift.json. In
   * approximate mode a side with stored profiles is never read: drift works after VACUUM. In
   * exact mode the exact passes read both sides' data; when a data file behind a stored profile
   * is gone (VACUUM), the run falls back to approximate statistics and says so.
   */
  public static DriftRun run(Lake lake, Optional<TableRef> reference, Optional<TableRef> current,
                             Optional<java.nio.file.Path> reportDir, String runId,
                             Optional<DriftSettings.StatisticsMode> modeOverride) {
    return runReportingTo(lake, reference, current, reportDir.map(Location::of), runId,
        modeOverride);
  }

  /**
   * {@link #run} with the report folder anywhere Hadoop's FileSystem reaches ({@code --report-dir}
   * s3a://…); by default {@code <lake-root>/reports/<run id>}, on the lake's file system.
   */
  static DriftRun runReportingTo(Lake lake, Optional<TableRef> reference,
                                 Optional<TableRef> current, Optional<Location> reportDir,
                                 String runId,
                                 Optional<DriftSettings.StatisticsMode> modeOverride) {
    JobSettings settings = lake.settings();
    DriftSettings driftSettings = modeOverride.map(settings.drift()::withStatisticsMode)
        .orElse(settings.drift());
    TableRef ref = lake.resolve(reference.orElseGet(() -> defaultReference(lake)));
    TableRef cur = lake.resolve(current.orElseGet(() -> defaultCurrent(settings)));
    // The latest calibration of the current table, when there is one (threshold_source
    // calibrated, below an explicit per-feature threshold); driftlake.calibrate.use-calibrated.
    driftSettings = Thresholds.applied(settings, driftSettings, cur.table());
    ProfileStore store = new ProfileStore(lake, new DriftAnalysis(driftSettings),
        driftSettings.profile());
    LakeSelections selections = new LakeSelections(lake, store, ref, cur);
    // Profiles (stored, incremental or one scan), comparison, the exact-to-approximate fallback
    // after VACUUM, the checks, and the profiles saved: the library's entry point. The first of
    // three commits, each idempotent by the run id (profiles by their keys): a run killed
    // between them leaves each table at a version, and its rerun writes only what is missing.
    DriftResult result = Drift.between(selections, ref, cur).settings(driftSettings)
        .exclude(excluded(settings)).roles(roles(settings)).runId(runId)
        .multivariate(MultivariateSettings.from(settings.config())).run();
    PausePoints.reach(PausePoints.DRIFT_PROFILES_SAVED);
    List<ProfileStore.Profiles> sides = selections.lastProfiles();
    Location dir = reportDir.orElseGet(() -> settings.lakeRoot().resolve("reports").resolve(runId));
    DriftReport report = result.report();
    DriftRun run = new DriftRun(runId, Timestamp.from(Instant.now()), ref, report.referenceRows(),
        cur, report.currentRows(), report, result.schema(), dir, sides.get(0), sides.get(1),
        result.mode(), result.modeNote(), result.checks(), Evaluations.estimatesOf(lake, cur));
    DriftResults.append(lake, run);
    PausePoints.reach(PausePoints.DRIFT_RESULTS_WRITTEN);
    DriftChecks.append(lake, run);
    PausePoints.reach(PausePoints.DRIFT_CHECKS_WRITTEN);
    writeReports(run, result.settings(), lake.spark().sessionState().newHadoopConf());
    return run;
  }

  /**
   * The note of a comparison from the profiles alone ({@code --mode profiles}) when some verdict
   * stays unknown: its interval straddles the threshold and no data row is read to settle it.
   */
  static String profilesOnlyNote(DriftReport report) {
    return Drift.profilesOnlyNote(report);
  }

  /** {@code drift.json} and {@code drift.html}, through Hadoop's FileSystem. */
  static void writeReports(DriftRun run, DriftSettings driftSettings,
                           org.apache.hadoop.conf.Configuration conf) {
    ReportRun report = run.toReport(driftSettings);
    run.reportFile().write(conf, DriftReportJson.render(report));
    run.htmlFile().write(conf, DriftReportHtml.render(report));
  }

  /**
   * What a drift of {@code ref} against {@code cur} compares: the shared feature columns (the
   * others listed as skipped, with their role or why), and the settings of those features alone.
   */
  record Plan(FeatureSpecs.Shared shared, DriftSettings settings) {}

  static Plan plan(JobSettings settings, DriftSettings driftSettings, TableRef ref, TableRef cur,
                   StructType refSchema, StructType curSchema) {
    // As runReportingTo: the latest calibration of the current table, when there is one.
    Drift.Plan plan = Drift.plan(ref.toString(), cur.toString(), refSchema, curSchema,
        excluded(settings), Thresholds.applied(settings, driftSettings, cur.table()));
    return new Plan(plan.shared(), plan.settings());
  }

  /**
   * Columns that are no features, with their role: listed as skipped, nothing vanishes. A column
   * whose feature type changed is skipped too, and reported by the column_retyped check.
   */
  private static Map<String, String> excluded(JobSettings settings) {
    Map<String, String> excluded = new LinkedHashMap<>();
    excluded.put(settings.schema().key(), "role: key");
    excluded.put(settings.schema().label(), "role: label");
    settings.schema().predictions().forEach(c -> excluded.putIfAbsent(c, "role: prediction"));
    settings.schema().exclude().forEach(c -> excluded.putIfAbsent(c,
        "excluded (driftlake.schema.exclude)"));
    return excluded;
  }

  /**
   * The label (present in training, absent in unlabelled production rows by design), the
   * prediction columns (in a scored feed, never in training) and the excluded columns are roles,
   * not features: their absence on one side is no schema failure. The key is a role too, but one
   * every side needs (scoring keys predictions by it): its absence still fails.
   */
  private static Set<String> roles(JobSettings settings) {
    Set<String> roles = new HashSet<>(settings.schema().exclude());
    roles.add(settings.schema().label());
    roles.addAll(settings.schema().predictions());
    return roles;
  }

  /** The data-quality checks of a comparison: schema, nulls, ranges, categories. */
  static List<CheckResult> checks(JobSettings settings, DriftSettings driftSettings,
                                  StructType refSchema, StructType curSchema,
                                  Map<String, FeatureProfile> refCompared,
                                  Map<String, FeatureProfile> curCompared) {
    return Drift.checks(driftSettings.checks(), refSchema, curSchema, roles(settings),
        refCompared, curCompared);
  }

  /** The default current selection: the rows the latest production version added. */
  static TableRef defaultCurrent(JobSettings settings) {
    return TableRef.parse(settings.tables().production() + "@latest:added");
  }

  private static TableRef defaultReference(Lake lake) {
    Model model = Registry.championOrLatest(lake).orElseThrow(() -> new IllegalArgumentException(
        "No --reference given and no model in table '" + lake.settings().tables().models()
            + "' to take the training version from"));
    return TableRef.parse(model.trainingTable() + "@" + model.trainingVersion());
  }
}
