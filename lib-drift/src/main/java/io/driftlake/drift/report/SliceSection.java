package io.driftlake.drift.report;

import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.SliceDrift;
import io.driftlake.drift.api.Slices;
import io.driftlake.drift.format.Numbers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The page's slice section: the slices ranked by impact (share of the current rows × share of
 * the slice's features that drifted), as a horizontal bar plot and a table with each slice's
 * drifted features, and the slices that were skipped with the reason. Absent (null) when no
 * slice is configured.
 */
record SliceSection(Plot plot, List<Row> rows, List<Skipped> skipped) {
  private static final int LEFT = 200;
  private static final int BAR = 320;
  private static final int ROW = 22;
  private static final int TOP = 8;
  private static final int LABEL_CHARACTERS = 28;

  /** One slice's line of the table. */
  record Row(int rank, String slice, String rowShare, String driftedShare, String impact,
             String statusClass, String status, String driftedFeatures) {}

  /** A skipped spec and why. */
  record Skipped(String spec, String reason) {}

  /** The bar plot: one bar per slice, its length the impact relative to the largest. */
  record Plot(int width, int height, List<Bar> bars, String caption) {}

  /** One slice's bar; {@code drifted} colours it. */
  record Bar(String label, String shortLabel, String labelY, String y, String width,
             String valueX, String value, boolean drifted, String title) {}

  static SliceSection of(Slices slices) {
    if (slices.isEmpty()) {
      return null;
    }
    double top = slices.ranked().stream().mapToDouble(SliceDrift::impact).max().orElse(0);
    List<Bar> bars = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    for (SliceDrift s : slices.ranked()) {
      double y = TOP + bars.size() * ROW;
      double length = top > 0 ? s.impact() / top * BAR : 0;
      bars.add(new Bar(s.slice(), Bars.shortened(s.slice(), LABEL_CHARACTERS), px(y + 14),
          px(y + 3), px(length), px(LEFT + length + 6), Numbers.number(s.impact()),
          s.drifted(), String.format(Locale.ROOT, "%s: impact %s = %s of the rows × %s of its "
              + "features drifted", s.slice(), Numbers.number(s.impact()),
              Numbers.percent(s.rowShare()), Numbers.percent(s.driftedShare()))));
      rows.add(new Row(s.rank(), s.slice(), Numbers.percent(s.rowShare()),
          Numbers.percent(s.driftedShare()), Numbers.number(s.impact()),
          s.drifted() ? "bad" : "ok", s.report().status().id(),
          s.report().driftedFeatures().stream().map(SliceSection::drifted)
              .collect(Collectors.joining(", "))));
    }
    Plot plot = bars.isEmpty() ? null : new Plot(LEFT + BAR + 80,
        TOP + bars.size() * ROW + 8, bars, "slices ranked by impact = share of the current "
        + "rows × share of the slice's features that drifted; bar length relative to the "
        + "largest, a drifted slice in orange");
    return new SliceSection(plot, rows, slices.skipped().stream()
        .map(s -> new Skipped(s.spec(), s.reason())).toList());
  }

  private static String drifted(FeatureDrift f) {
    return f.feature() + " (" + f.decidedBy() + " " + Numbers.number(f.severity()) + ")";
  }

  private static String px(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
