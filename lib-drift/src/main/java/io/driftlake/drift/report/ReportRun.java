package io.driftlake.drift.report;

import io.driftlake.drift.DriftResult;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * What a drift run's reports show: the run's id and time, what each side was, and the
 * {@link DriftResult} (report, checks, each side's profiles and their source, the schema
 * difference, the settings and statistics mode used). {@link DriftReportJson},
 * {@link DriftReportHtml} and {@link DriftReportText} render it.
 *
 * @param runId the run's id
 * @param computedAt when the run compared
 * @param reference what the reference side was
 * @param current what the current side was
 * @param result what the run found
 * @param estimates the model performance estimated without labels on the current side
 */
public record ReportRun(String runId, Instant computedAt, Side reference, Side current,
                        DriftResult result, PerformanceEstimates estimates) {
  /** Checks that nothing is missing. */
  public ReportRun {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(computedAt, "computedAt");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(estimates, "estimates");
  }

  /**
   * A run whose reports carry no performance estimate
   * ({@link PerformanceEstimates#NOT_LOOKED_UP}).
   */
  public ReportRun(String runId, Instant computedAt, Side reference, Side current,
                   DriftResult result) {
    this(runId, computedAt, reference, current, result, PerformanceEstimates.NOT_LOOKED_UP);
  }

  /**
   * One side of the comparison as the caller names it.
   *
   * @param name how the run names it, e.g. {@code production@7:added}
   * @param table its table
   * @param version its table version
   * @param selection which of the version's rows: {@code snapshot} or {@code added}, with its
   *     row filter if any
   * @param rows how many rows it has
   */
  public record Side(String name, String table, long version, String selection, long rows) {
    /** Checks that nothing is missing. */
    public Side {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(table, "table");
      Objects.requireNonNull(selection, "selection");
    }

    /** The name with the row count, as the page and the console show it. */
    String label() {
      return String.format(Locale.ROOT, "%s (%,d rows)", name, rows);
    }
  }
}
