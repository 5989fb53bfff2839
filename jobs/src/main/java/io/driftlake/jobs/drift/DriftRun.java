package io.driftlake.jobs.drift;

import io.driftlake.drift.DriftResult;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.report.PerformanceEstimates;
import io.driftlake.drift.report.ReportRun;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.drift.store.ProfileSource;
import io.driftlake.drift.store.SelectionProfiles;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.profile.ProfileStore;
import java.sql.Timestamp;
import java.util.List;

/**
 * A finished drift run: what was compared, how each side's profiles were obtained (stored,
 * incremental or scanned), the statistics mode used ({@code modeNote} says why, when it is not
 * the one asked for; else empty), the report, the model performance estimated without labels
 * on the current side ({@link PerformanceEstimates#NOT_LOOKED_UP} for a drift of derived
 * columns), and where the JSON went.
 */
public record DriftRun(String runId, Timestamp computedAt, TableRef reference,
                       long referenceRows, TableRef current, long currentRows, DriftReport report,
                       FeatureSpecs.Shared schema, Location reportDir,
                       ProfileStore.Profiles referenceProfiles,
                       ProfileStore.Profiles currentProfiles,
                       DriftSettings.StatisticsMode mode, String modeNote,
                       List<CheckResult> checks, PerformanceEstimates estimates) {
  /** The JSON report, {@code drift.json} in the report folder. */
  public Location reportFile() {
    return reportDir.resolve("drift.json");
  }

  /** The HTML report, next to {@code drift.json}. */
  public Location htmlFile() {
    return reportDir.resolve("drift.html");
  }

  /** What drift.json, drift.html and the console summary show of this run. */
  public ReportRun toReport(DriftSettings settings) {
    return new ReportRun(runId, computedAt.toInstant(), side(reference, referenceRows),
        side(current, currentRows), new DriftResult(report, checks,
            profiles(referenceProfiles), profiles(currentProfiles), schema, settings, mode,
            modeNote), estimates);
  }

  private static ReportRun.Side side(TableRef ref, long rows) {
    return new ReportRun.Side(ref.toString(), ref.table(), ref.version().getAsLong(),
        ref.selection(), rows);
  }

  private static SelectionProfiles profiles(ProfileStore.Profiles p) {
    return new SelectionProfiles(p.selection().toString(), p.profiles(),
        ProfileSource.valueOf(p.source().name()), p.detail());
  }
}
