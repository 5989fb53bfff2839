package io.driftlake.jobs.drift;

import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.MultivariateDrift;
import io.driftlake.drift.compare.FeatureComparator;
import io.driftlake.drift.api.Slices;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.config.SliceSettings;
import io.driftlake.drift.config.MultivariateSettings;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.multivariate.MultivariateAnalysis;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.common.PausePoints;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.KernelLake;
import io.driftlake.jobs.profile.ProfileStore;
import io.driftlake.jobs.registry.Evaluations;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.StructType;

/**
 * A drift whose answer is in the profiles table already, run with no SparkSession: both
 * selections resolved, their columns read and their stored profiles looked up with Delta Kernel
 * on the driver, compared from the profiles (approximate statistics, every verdict decided by its
 * error bound), and the result and check rows appended through Kernel. What a user waits for is
 * then the JVM's start and a few reads of the Delta log, not a SparkSession and Delta's Spark
 * snapshots.
 *
 * <p>It answers only when the outcome is the one {@link DriftJob#runReportingTo} would give
 * without reading a data row: statistics mode {@code profiles} (an undecided verdict stays
 * unknown), or {@code approximate} with no feature left undecided (its exact refinement reads
 * its column); a {@code --reference} given (the default one comes from the model registry); no
 * row filter (Spark's parser checks a filter); both selections resolvable here
 * ({@link KernelLake#resolve}); both sides' profiles stored with every compared feature; the
 * result and check tables existing with all their columns and not yet holding this run id (a
 * rerun finds what is missing on the Spark path). Otherwise it answers empty, having written
 * nothing, and the caller runs the Spark path.
 */
public final class ProfiledDrift {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ProfiledDrift.class);

  private ProfiledDrift() {}

  /**
   * The drift run, its rows written and its reports, when it can be answered from stored profiles
   * alone; else empty, with nothing written (the caller then runs {@link DriftJob} on Spark).
   */
  public static Optional<DriftRun> run(JobSettings settings, Optional<TableRef> reference,
                                         Optional<TableRef> current,
                                         Optional<Location> reportDir, String runId,
                                         Optional<DriftSettings.StatisticsMode> modeOverride) {
    DriftSettings asked = modeOverride.map(settings.drift()::withStatisticsMode)
        .orElse(settings.drift());
    DriftSettings.StatisticsMode mode = asked.statisticsMode();
    if (mode == DriftSettings.StatisticsMode.EXACT) {
      return none("exact statistics read the data");
    }
    if (mode == DriftSettings.StatisticsMode.APPROXIMATE && !asked.slices().isEmpty()) {
      return none("slices are profiled from the data (" + SliceSettings.KEY + ")");
    }
    if (reference.isEmpty()) {
      return none("the default reference comes from the model registry");
    }
    TableRef refAsked = reference.get();
    TableRef curAsked = current.orElseGet(() -> DriftJob.defaultCurrent(settings));
    if (refAsked.where().isPresent() || curAsked.where().isPresent()) {
      return none("a row filter is checked by Spark's SQL parser");
    }
    KernelLake lake = new KernelLake(settings);
    Optional<TableRef> ref = lake.resolve(refAsked);
    Optional<TableRef> cur = lake.resolve(curAsked);
    if (ref.isEmpty() || cur.isEmpty()) {
      return none(refAsked + " or " + curAsked + " is resolved on the Spark path");
    }
    String results = settings.tables().driftResults();
    String checksTable = settings.tables().driftChecks();
    if (!lake.hasColumns(results, DriftResults.SCHEMA)
        || !lake.hasColumns(checksTable, DriftChecks.SCHEMA)) {
      return none("table '" + results + "' or '" + checksTable + "' is created or migrated on "
          + "the Spark path");
    }
    if (lake.committed(results, DriftResults.key(runId), 0)
        || lake.committed(checksTable, DriftChecks.key(runId), 0)) {
      return none("run " + runId + " wrote already; its rerun completes on the Spark path");
    }
    StructType refSchema = lake.schema(ref.get());
    StructType curSchema = lake.schema(cur.get());
    DriftJob.Plan plan = DriftJob.plan(settings, asked, ref.get(), cur.get(), refSchema,
        curSchema);
    DriftSettings driftSettings = plan.settings();
    Optional<List<ProfileStore.Profiles>> sides =
        ProfileStore.storedOnly(lake, driftSettings.profile())
            .stored(List.of(ref.get(), cur.get()), plan.shared().features());
    if (sides.isEmpty()) {
      return none("a side's profiles are not stored");
    }
    ProfileStore.Profiles refProfiles = sides.get().get(0);
    ProfileStore.Profiles curProfiles = sides.get().get(1);
    DriftReport report = new DriftAnalysis(driftSettings).compare(refProfiles.profiles(),
        curProfiles.profiles(), plan.shared().features());
    if (mode == DriftSettings.StatisticsMode.APPROXIMATE
        && report.features().stream().anyMatch(FeatureComparator::undecided)) {
      return none("a feature is undecided by its error bound and is refined from its column");
    }
    report = plan.shared().annotate(report);
    MultivariateSettings multivariate = MultivariateSettings.from(settings.config());
    if (multivariate.enabled()) {
      // The Spark path runs them in exact and approximate mode; profiles mode reads no row.
      if (mode != DriftSettings.StatisticsMode.PROFILES) {
        return none("multivariate drift learns from rows");
      }
      report = report.withMultivariate(MultivariateDrift.unknown(MultivariateAnalysis.PROFILES_MODE,
          multivariate.aucThreshold()));
    }
    // Slice profiles are not stored: mode profiles lists the slices as skipped, with why.
    report = report.withSlices(driftSettings.slices().isEmpty()
        ? Slices.none() : Slices.skipped(driftSettings.slices().specs(),
            SliceSettings.SKIPPED_IN_PROFILES_MODE));
    List<CheckResult> checks = DriftJob.checks(settings, driftSettings, refSchema, curSchema,
        refProfiles.profiles(), curProfiles.profiles());
    Location dir = reportDir.orElseGet(
        () -> settings.lakeRoot().resolve("reports").resolve(runId));
    DriftRun run = new DriftRun(runId, CommitStamp.now(), ref.get(),
        report.referenceRows(), cur.get(), report.currentRows(), report, plan.shared(), dir,
        refProfiles, curProfiles, mode, DriftJob.profilesOnlyNote(report), checks,
        Evaluations.estimatesOf(lake, cur.get()));
    // Two commits, each idempotent by the run id, as on the Spark path (no profiles to save).
    lake.append(results, DriftResults.SCHEMA, DriftResults.rows(run, "drift"),
        DriftResults.stamp(run));
    PausePoints.reach(PausePoints.DRIFT_RESULTS_WRITTEN);
    lake.append(checksTable, DriftChecks.SCHEMA, DriftChecks.rows(run), DriftChecks.stamp(run));
    PausePoints.reach(PausePoints.DRIFT_CHECKS_WRITTEN);
    DriftJob.writeReports(run, driftSettings, lake.conf());
    LOG.info("Drift {} vs {} from stored profiles, without Spark", ref.get(), cur.get());
    return Optional.of(run);
  }

  private static Optional<DriftRun> none(String why) {
    LOG.info("Drift runs on Spark: {}", why);
    return Optional.empty();
  }

}
