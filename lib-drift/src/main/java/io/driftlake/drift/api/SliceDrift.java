package io.driftlake.drift.api;

/**
 * One slice's drift: the reference slice against the current slice, with the same methods and
 * thresholds as the whole data.
 *
 * @param slice the slice's name, e.g. {@code channel = app}, {@code channel is null} or the
 *     predicate as written ({@code age > 60})
 * @param spec the {@code driftlake.drift.slices} entry it comes from
 * @param rank 1 for the slice that drives the dataset's drift most
 * @param rowShare the slice's share of the current selection's rows
 * @param driftedShare the share of the slice's compared features that drifted
 * @param impact {@code rowShare × driftedShare}: the share of the current data's
 *     (row, feature) cells that lie in this slice's drifted features; the ranking's measure
 * @param report the slice's features and status, as for the whole data
 */
public record SliceDrift(String slice, String spec, int rank, double rowShare,
                         double driftedShare, double impact, DriftReport report) {
  public SliceDrift {
    java.util.Objects.requireNonNull(report, "report");
  }

  public boolean drifted() {
    return report.drifted();
  }
}
