package io.driftlake.jobs.drift;

import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.quality.QualityChecks;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.jobs.common.Console;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.common.PausePoints;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.common.UsageException;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import io.driftlake.jobs.io.Predicates;
import io.driftlake.jobs.profile.ProfileStore;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
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
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DriftJob.class);

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
      description = "Statistics: exact pass, approximate sketches, or stored profiles only "
          + "(default: driftlake.drift.statistics).")
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
    System.out.print(DriftReportJson.summary(run));
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

  /**
   * A finished drift run: what was compared, how each side's profiles were obtained (stored,
   * incremental or scanned), the statistics mode used ({@code modeNote} says why, when it is not
   * the one asked for; else empty), the report, and where the JSON went.
   */
  public record DriftRun(String runId, Timestamp computedAt, TableRef reference, long referenceRows,
                         TableRef current, long currentRows, DriftReport report,
                         FeatureSpecs.Shared schema, Location reportDir,
                         ProfileStore.Profiles referenceProfiles,
                         ProfileStore.Profiles currentProfiles,
                         DriftSettings.StatisticsMode mode, String modeNote,
                         List<CheckResult> checks) {
    /** The JSON report, {@code drift.json} in the report folder. */
    public Location reportFile() {
      return reportDir.resolve("drift.json");
    }

    /** The HTML report, next to {@code drift.json}. */
    public Location htmlFile() {
      return reportDir.resolve("drift.html");
    }
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
    Side refSide = Side.open(lake, ref, "--reference-where");
    Side curSide = Side.open(lake, cur, "--current-where");
    Plan plan = plan(settings, driftSettings, ref, cur, refSide.schema(), curSide.schema());
    FeatureSpecs.Shared shared = plan.shared();
    driftSettings = plan.settings();
    DriftAnalysis analysis = new DriftAnalysis(driftSettings);
    ProfileStore store = new ProfileStore(lake, analysis, driftSettings.profile());
    store.prefetch(List.of(ref, cur));
    List<ProfileStore.Profiles> sides = store.profiles(List.of(ref, cur), shared.features());
    ProfileStore.Profiles refProfiles = sides.get(0);
    ProfileStore.Profiles curProfiles = sides.get(1);
    DriftSettings.StatisticsMode mode = driftSettings.statisticsMode();
    String modeNote = "";
    DriftReport report;
    // What the methods and checks compare: in exact mode, every category of a capped feature.
    Map<String, FeatureProfile> refCompared = refProfiles.profiles();
    Map<String, FeatureProfile> curCompared = curProfiles.profiles();
    if (mode == DriftSettings.StatisticsMode.EXACT) {
      // Stored profiles outlive their data (VACUUM): drift still works, from the profiles.
      Optional<String> gone = refSide.gone().or(curSide::gone);
      report = null;
      if (gone.isEmpty()) {
        try {
          List<Map<String, FeatureProfile>> counted = analysis.exactCategories(
              refProfiles.profiles(), curProfiles.profiles(), shared.features(), refSide.data(),
              curSide.data());
          report = analysis.compareExact(counted.get(0), counted.get(1), shared.features(),
              refSide.data(), curSide.data());
          refCompared = counted.get(0);
          curCompared = counted.get(1);
        } catch (Exception e) { // Spark's SparkException is checked, but thrown from Scala
          gone = missingFile(e);
          if (gone.isEmpty() || (refProfiles.source() == ProfileStore.Source.SCANNED
              && curProfiles.source() == ProfileStore.Source.SCANNED)) {
            throw e;
          }
        }
      }
      if (report == null) {
        mode = DriftSettings.StatisticsMode.APPROXIMATE;
        modeNote = String.format("exact mode asked, but a data file of %s or %s is gone (%s), "
            + "so KS, Wasserstein and numeric PSI/JS come from the stored profiles with their "
            + "error bounds", ref, cur, gone.get());
        LOG.warn("Drift {} vs {}: {}", ref, cur, modeNote);
        report = analysis.compare(refProfiles.profiles(), curProfiles.profiles(),
            shared.features());
      }
    } else {
      report = analysis.compare(refProfiles.profiles(), curProfiles.profiles(), shared.features());
      if (mode == DriftSettings.StatisticsMode.PROFILES) {
        modeNote = profilesOnlyNote(report);
      } else if (refSide.gone().isEmpty() && curSide.gone().isEmpty()) {
        // Features whose approximate interval straddles the threshold are settled exactly, from
        // their columns alone; with a side's files gone (VACUUM) they stay undecided (unknown).
        try {
          report = analysis.refineUndecided(report, refProfiles.profiles(),
              curProfiles.profiles(), shared.features(), refSide.data(), curSide.data());
        } catch (Exception e) { // Spark's SparkException is checked, but thrown from Scala
          Optional<String> gone = missingFile(e);
          if (gone.isEmpty()) {
            throw e;
          }
          modeNote = "undecided features stay unknown: a data file of " + ref + " or " + cur
              + " is gone (" + gone.get() + ")";
          LOG.warn("Drift {} vs {}: {}", ref, cur, modeNote);
        }
      }
    }
    // Skipped columns, and what a timestamp's or a date's values are, in every result.
    report = shared.annotate(report);
    List<CheckResult> checks = checks(settings, driftSettings, refSide.schema(), curSide.schema(),
        refCompared, curCompared);
    Location dir = reportDir.orElseGet(() -> settings.lakeRoot().resolve("reports").resolve(runId));
    DriftRun run = new DriftRun(runId, Timestamp.from(Instant.now()), ref, report.referenceRows(),
        cur, report.currentRows(), report, shared, dir,
        refProfiles, curProfiles, mode, modeNote, checks);
    // Three commits, each idempotent by the run id (profiles by their keys): a run killed
    // between them leaves each table at a version, and its rerun writes only what is missing.
    store.save(runId);
    PausePoints.reach(PausePoints.DRIFT_PROFILES_SAVED);
    DriftResults.append(lake, run);
    PausePoints.reach(PausePoints.DRIFT_RESULTS_WRITTEN);
    DriftChecks.append(lake, run);
    PausePoints.reach(PausePoints.DRIFT_CHECKS_WRITTEN);
    writeReports(run, driftSettings, lake.spark().sessionState().newHadoopConf());
    return run;
  }

  /**
   * The note of a comparison from the profiles alone ({@code --mode profiles}) when some verdict
   * stays unknown: its interval straddles the threshold and no data row is read to settle it.
   */
  static String profilesOnlyNote(DriftReport report) {
    List<String> undecided = report.features().stream()
        .filter(io.driftlake.drift.compare.FeatureComparator::undecided)
        .map(io.driftlake.drift.api.FeatureDrift::feature).sorted().toList();
    return undecided.isEmpty() ? "" : "undecided features stay unknown: mode profiles reads no "
        + "data row to settle their intervals " + undecided;
  }

  /** {@code drift.json} and {@code drift.html}, through Hadoop's FileSystem. */
  static void writeReports(DriftRun run, DriftSettings driftSettings,
                           org.apache.hadoop.conf.Configuration conf) {
    DriftReportJson.write(run, conf);
    DriftReportHtml.write(run, run.referenceProfiles().profiles(),
        run.currentProfiles().profiles(), driftSettings.bins(), conf);
  }

  /**
   * What a drift of {@code ref} against {@code cur} compares: the shared feature columns (the
   * others listed as skipped, with their role or why), and the settings of those features alone.
   */
  record Plan(FeatureSpecs.Shared shared, DriftSettings settings) {}

  static Plan plan(JobSettings settings, DriftSettings driftSettings, TableRef ref, TableRef cur,
                   StructType refSchema, StructType curSchema) {
    // A column whose feature type changed is reported by the column_retyped check, not compared.
    // Columns that are no features are listed as skipped with their role: nothing vanishes.
    Map<String, String> excluded = new LinkedHashMap<>();
    excluded.put(settings.schema().key(), "role: key");
    excluded.put(settings.schema().label(), "role: label");
    settings.schema().predictions().forEach(c -> excluded.putIfAbsent(c, "role: prediction"));
    settings.schema().exclude().forEach(c -> excluded.putIfAbsent(c,
        "excluded (driftlake.schema.exclude)"));
    excluded.putAll(featureTypeChanged(refSchema, curSchema));
    FeatureSpecs.Shared shared = FeatureSpecs.shared(refSchema, curSchema, excluded);
    if (shared.features().isEmpty()) {
      throw new IllegalArgumentException(String.format(
          "No shared feature columns between %s and %s", ref, cur));
    }
    // Overrides of columns this run does not compare (another table's, or removed, added or
    // retyped here: schema checks report those) do not apply to it.
    List<String> compared = shared.features().stream().map(FeatureSpec::name).toList();
    List<String> notCompared = driftSettings.features().keySet().stream()
        .filter(name -> !compared.contains(name)).sorted().toList();
    if (!notCompared.isEmpty()) {
      LOG.warn("Drift {} vs {}: {}.features {} name no compared column; not applied", ref, cur,
          DriftSettings.PATH, notCompared);
    }
    return new Plan(shared, driftSettings.onlyFeatures(compared));
  }

  /** The data-quality checks of a comparison: schema, nulls, ranges, categories. */
  static List<CheckResult> checks(JobSettings settings, DriftSettings driftSettings,
                                  StructType refSchema, StructType curSchema,
                                  Map<String, FeatureProfile> refCompared,
                                  Map<String, FeatureProfile> curCompared) {
    // The label (present in training, absent in unlabelled production rows by design), the
    // prediction columns (in a scored feed, never in training) and the excluded columns are
    // roles, not features: their absence on one side is no schema failure. The key is a role
    // too, but one every side needs (scoring keys predictions by it): its absence still fails.
    Set<String> roles = new HashSet<>(settings.schema().exclude());
    roles.add(settings.schema().label());
    roles.addAll(settings.schema().predictions());
    return QualityChecks.run(driftSettings.checks(), withoutRoles(columns(refSchema), roles),
        withoutRoles(columns(curSchema), roles), refCompared, curCompared);
  }

  /**
   * A selection's rows, or, when the files its rows were added in are gone (rewritten, then
   * vacuumed), its columns and the missing file: its stored profiles may still serve a drift.
   */
  private record Side(Dataset<Row> data, StructType schema, Optional<String> gone) {
    static Side open(Lake lake, TableRef ref, String whereOption) {
      try {
        Dataset<Row> data = lake.read(ref);
        // A snapshot whose files VACUUM removed is known from the log: the exact passes then
        // never start (a failed task would log a long ERROR trace before the fallback).
        Optional<String> gone = ref.addedOnly() ? Optional.empty()
            : lake.missingFile(ref.table(), ref.version().orElseThrow()).map(file -> String.format(
                "version %d of table '%s' reads a data file that VACUUM removed: %s",
                ref.version().getAsLong(), ref.table(), file));
        return new Side(data, data.schema(), gone);
      } catch (Predicates.Refused e) {
        throw e.named(whereOption);
      } catch (RuntimeException e) {
        Optional<String> gone = missingFile(e);
        if (gone.isEmpty() || !ref.addedOnly()) {
          throw e;
        }
        StructType schema = lake.addedSchema(ref.table());
        // A bad filter still fails here, on the columns alone.
        try {
          lake.filter(lake.spark().createDataFrame(List.of(), schema), ref);
        } catch (Predicates.Refused refused) {
          throw refused.named(whereOption);
        }
        return new Side(null, schema, gone);
      }
    }
  }

  /** The message of the missing file that made {@code e}, if a missing file did. */
  private static Optional<String> missingFile(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.io.FileNotFoundException) {
        return Optional.of(String.valueOf(t.getMessage()).lines().findFirst().orElse(""));
      }
    }
    return Optional.empty();
  }

  /** Column name → Spark type name, in column order, for the schema checks. */
  private static Map<String, String> columns(StructType schema) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (StructField f : schema.fields()) {
      columns.put(f.name(), f.dataType().simpleString());
    }
    return columns;
  }

  private static Map<String, String> withoutRoles(Map<String, String> columns, Set<String> roles) {
    Map<String, String> kept = new LinkedHashMap<>(columns);
    kept.keySet().removeAll(roles);
    return kept;
  }

  /**
   * Columns on both sides that drift does not compare alike (feature type, or the kind of values:
   * a timestamp is not a date), with the reason they are skipped.
   */
  private static Map<String, String> featureTypeChanged(StructType reference,
                                                        StructType current) {
    Map<String, String> changed = new LinkedHashMap<>();
    Map<String, String> cur = columns(current);
    for (StructField f : reference.fields()) {
      if (cur.containsKey(f.name()) && !FeatureSpecs.comparable(f.dataType(),
          current.apply(f.name()).dataType())) {
        changed.put(f.name(), String.format("retyped: %s in the reference, %s in the current "
            + "selection", f.dataType().simpleString(), cur.get(f.name())));
      }
    }
    return changed;
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
