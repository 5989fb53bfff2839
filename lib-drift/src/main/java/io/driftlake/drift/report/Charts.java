package io.driftlake.drift.report;

import io.driftlake.drift.format.Numbers;
import io.driftlake.drift.profile.NumericProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The geometry of the page's two SVG charts, as strings a template places: the reference vs
 * current bars of a feature's bins or categories, and the two ECDFs of a numeric feature with
 * the KS distance D marked.
 */
final class Charts {
  /** Longest label written under a bar; a longer one is shortened, whole on hover. */
  static final int LABEL_CHARACTERS = 14;
  private static final int PLOT_HEIGHT = 160;
  private static final int TOP = 20;
  private static final int LEFT = 48;

  private Charts() {}

  /** A bar chart. */
  record BarChart(int width, int height, List<Line> axes, List<Tick> ticks, Legend legend,
                  List<BarGroup> groups, String caption) {}

  /** Where the reference and current keys go, top right. */
  record Legend(int refBox, int refText, int curBox, int curText) {
    static Legend at(int width) {
      return new Legend(width - 190, width - 176, width - 100, width - 86);
    }
  }

  /** One bin's or category's pair of bars and its label (whole in {@code label}). */
  record BarGroup(Bar reference, Bar current, String label, String shortLabel, int labelX,
                  int labelY) {}

  /** One bar; {@code title} is its hover text. */
  record Bar(int x, String y, String height, String title) {}

  /** A line of a chart. */
  record Line(String x1, String y1, String x2, String y2) {}

  /** An axis tick's text. */
  record Tick(String x, String y, String anchor, String text) {}

  /**
   * The two ECDFs: a path per side, the D marker from F to G at the largest gap (its value the
   * KS row's D) with the values at its ends, and the ticks.
   */
  record EcdfChart(int width, int height, List<Line> axes, List<Tick> ticks, String reference,
                   String current, Line marker, String markerTitle, String at, String f,
                   String g, Tick label, Legend legend, String caption) {}

  static BarChart bars(Bars b) {
    int n = b.labels().size();
    double top = 0;
    for (int i = 0; i < n; i++) {
      top = Math.max(top, Math.max(b.reference()[i], b.current()[i]));
    }
    top = top > 0 ? top : 1;
    int group = 44;
    int width = Math.max(360, LEFT + n * group + 16);
    int bottom = TOP + PLOT_HEIGHT;
    List<BarGroup> groups = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int x = LEFT + 4 + i * group;
      String label = b.labels().get(i);
      groups.add(new BarGroup(bar(x, b.reference()[i], top, "reference " + label),
          bar(x + 18, b.current()[i], top, "current " + label), label,
          Bars.shortened(label, LABEL_CHARACTERS), x + 20, bottom + 14));
    }
    return new BarChart(width, bottom + 76, List.of(line(LEFT, TOP, LEFT, bottom),
        line(LEFT, bottom, width - 8, bottom)), List.of(
            new Tick(px(LEFT - 4), px(TOP + 4), "end", Numbers.percent(top)),
            new Tick(px(LEFT - 4), px(bottom), "end", "0")), Legend.at(width),
        groups, b.caption() + "; bar height = share of the side's non-null values");
  }

  private static Bar bar(int x, double share, double top, String title) {
    double height = share / top * PLOT_HEIGHT;
    return new Bar(x, px(TOP + PLOT_HEIGHT - height), px(height),
        title + ": " + Numbers.percent(share));
  }

  /** The ECDF chart of two profiles with finite values, {@code d} the KS row's statistic. */
  static EcdfChart ecdf(NumericProfile reference, NumericProfile current, Double d) {
    Ecdf e = Ecdf.of(reference, current);
    int width = 560;
    int right = width - 16;
    int bottom = TOP + PLOT_HEIGHT;
    double low = e.low();
    double span = e.high() - e.low();
    if (!(span > 0) || !Double.isFinite(span)) { // one value, or a span past a double's range
      span = Double.isFinite(span) && Math.abs(low) > 0 ? Math.abs(low) : 1;
      low -= span / 2;
    }
    Scale scale = new Scale(low, span, right - LEFT, bottom);
    Ecdf.Gap gap = e.gap();
    double x = scale.x(gap.at());
    String dText = "D = " + Numbers.number(d);
    List<Tick> ticks = List.of(new Tick(px(LEFT - 4), px(TOP + 4), "end", "1"),
        new Tick(px(LEFT - 4), px(bottom), "end", "0"),
        new Tick(px(LEFT), px(bottom + 14), "start", Numbers.number(e.low())),
        new Tick(px(right), px(bottom + 14), "end", Numbers.number(e.high())));
    return new EcdfChart(width, bottom + 40,
        List.of(line(LEFT, TOP, LEFT, bottom), line(LEFT, bottom, right, bottom)), ticks,
        path(e.reference(), e.referenceStart(), scale, right),
        path(e.current(), e.currentStart(), scale, right),
        new Line(px(x), px(scale.y(gap.f())), px(x), px(scale.y(gap.g()))),
        String.format(Locale.ROOT, "%s; largest |F − G| at the fine-bin boundaries: %s at %s "
                + "(F %s, G %s)", dText, Numbers.number(gap.size()), Numbers.number(gap.at()),
            Numbers.number(gap.f()), Numbers.number(gap.g())),
        Numbers.number(gap.at()), Numbers.number(gap.f()), Numbers.number(gap.g()),
        new Tick(px(x + (x > right - 90 ? -6 : 6)), px(scale.y((gap.f() + gap.g()) / 2) + 4),
            x > right - 90 ? "end" : "start", dText),
        Legend.at(width),
        "ECDFs from the profiles' fine bins (each at most 0.78 % of its values wide, drawn "
            + "straight inside); the marker spans the largest |F − G| at the bins' boundaries, "
            + "labelled with the KS statistic D of the table"
            + (e.high() > e.low() ? "" : "; every value is the same number"));
  }

  /** A side's CDF as one SVG path, one point per pixel column at most at each end. */
  private static String path(List<Ecdf.Rise> rises, double start, Scale scale, int right) {
    List<double[]> points = new ArrayList<>();
    points.add(new double[] {LEFT, scale.y(start)});
    double level = start;
    for (Ecdf.Rise r : rises) {
      points.add(new double[] {scale.x(r.from()), scale.y(r.before())});
      points.add(new double[] {scale.x(r.to()), scale.y(r.after())});
      level = r.after();
    }
    points.add(new double[] {right, scale.y(level)});
    StringBuilder d = new StringBuilder();
    for (int i = 0; i < points.size(); i++) {
      double[] p = points.get(i);
      boolean sameColumnAsBoth = i > 0 && i < points.size() - 1
          && Math.round(points.get(i - 1)[0]) == Math.round(p[0])
          && Math.round(points.get(i + 1)[0]) == Math.round(p[0]);
      if (!sameColumnAsBoth) { // the CDF only rises: a column's first and last point draw it
        d.append(d.length() == 0 ? "M" : " L").append(px(p[0])).append(',').append(px(p[1]));
      }
    }
    return d.toString();
  }

  /** Values to pixels: x over [low, low + span], y from 0 (bottom) to 1 (top). */
  private record Scale(double low, double span, int width, int bottom) {
    double x(double v) {
      double clamped = Math.max(low, Math.min(low + span, v)); // ±∞ at the edges
      return LEFT + (clamped - low) / span * width;
    }

    double y(double share) {
      return bottom - share * PLOT_HEIGHT;
    }
  }

  private static Line line(double x1, double y1, double x2, double y2) {
    return new Line(px(x1), px(y1), px(x2), px(y2));
  }

  private static String px(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
