package io.driftlake.drift;

import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.drift.store.SelectionProfiles;
import java.util.List;

/**
 * What {@link Drift#run} found: the drift report, the data-quality checks, and where each side's
 * profiles came from.
 *
 * @param report every compared feature's results and the dataset verdict
 *     ({@link DriftReport#drifted()}, {@link DriftReport#status()})
 * @param checks schema, null-share, range and category checks of the current side against the
 *     reference
 * @param reference the reference side's profiles and their source (stored, incremental, scanned)
 * @param current the current side's profiles and their source
 * @param schema the compared features, and the columns skipped and why
 * @param settings the settings used, with overrides of only the compared features
 * @param mode the statistics mode used (approximate when exact was asked but data is gone)
 * @param modeNote why the mode or some verdicts differ from what was asked; empty when they do not
 */
public record DriftResult(DriftReport report, List<CheckResult> checks,
                          SelectionProfiles reference, SelectionProfiles current,
                          FeatureSpecs.Shared schema, DriftSettings settings,
                          DriftSettings.StatisticsMode mode, String modeNote) {
  /** Copies the checks. */
  public DriftResult {
    checks = List.copyOf(checks);
  }

  /** Whether the dataset drifted (the report's verdict). */
  public boolean drifted() {
    return report.drifted();
  }

  /** The checks that failed. */
  public List<CheckResult> failedChecks() {
    return checks.stream().filter(CheckResult::failed).toList();
  }
}
