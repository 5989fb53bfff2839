package io.driftlake.jobs.estimate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code estimate.html}: per metric, the estimate with its band and the realized value over the
 * model's scored batches (one SVG chart each, batches left to right in table-version order),
 * and the numbers in a table below. Plain Java: the job hands it the joined rows.
 */
final class EstimatePage {
  private static final int WIDTH = 640;
  private static final int HEIGHT = 200;
  private static final int LEFT = 52;
  private static final int RIGHT = 16;
  private static final int TOP = 16;
  private static final int BOTTOM = 40;

  private EstimatePage() {}

  /** One batch's metric: the estimate, its band, and the realized value when labels landed. */
  record Point(String table, long version, String selection, String metric, double estimated,
               double lower, double upper, boolean calibrated, Double realized) {
    String batch() {
      return table + "@" + version + ("snapshot".equals(selection) ? "" : ":" + selection);
    }
  }

  static String render(String modelId, List<Point> points) {
    Map<String, List<Point>> byMetric = new LinkedHashMap<>();
    for (Point p : points) {
      byMetric.computeIfAbsent(p.metric(), k -> new ArrayList<>()).add(p);
    }
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Estimated "
        + "vs realized performance of model ").append(escape(modelId)).append("</title><style>"
        + "body{font-family:system-ui,sans-serif;margin:24px;color:#222}"
        + "table{border-collapse:collapse;margin:8px 0 24px}td,th{padding:2px 10px;"
        + "border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child"
        + "{text-align:left}.band{fill:#9ecae1;opacity:.5}.est{stroke:#3182bd;fill:none;"
        + "stroke-width:2}.real{fill:#e6550d}.axis{stroke:#888}text{font-size:11px}"
        + "</style></head><body>\n<h1>Estimated vs realized performance</h1>\n<p>Model <code>")
        .append(escape(modelId)).append("</code>. Blue: the estimate without labels (CBPE) and "
            + "its band (± 3 standard errors); orange: the realized metric once the batch's "
            + "labels landed (<code>evaluate --mode production --table</code> of the batch).</p>\n");
    if (byMetric.isEmpty()) {
      html.append("<p>No estimate yet.</p>\n");
    }
    byMetric.forEach((metric, list) -> {
      html.append("<h2>").append(escape(metric)).append("</h2>\n").append(chart(list));
      html.append("<table><tr><th>batch</th><th>estimated</th><th>lower</th><th>upper</th>"
          + "<th>calibrated</th><th>realized</th></tr>\n");
      for (Point p : list) {
        html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.4f</td><td>%.4f</td>"
                + "<td>%.4f</td><td>%s</td><td>%s</td></tr>%n", escape(p.batch()), p.estimated(),
            p.lower(), p.upper(), p.calibrated() ? "yes" : "no", p.realized() == null ? "–"
                : String.format(Locale.ROOT, "%.4f", p.realized())));
      }
      html.append("</table>\n");
    });
    return html.append("</body></html>\n").toString();
  }

  private static String chart(List<Point> list) {
    double lo = 1;
    double hi = 0;
    for (Point p : list) {
      lo = Math.min(lo, p.lower());
      hi = Math.max(hi, p.upper());
      if (p.realized() != null) {
        lo = Math.min(lo, p.realized());
        hi = Math.max(hi, p.realized());
      }
    }
    double pad = Math.max(0.01, (hi - lo) * 0.1);
    double yMin = Math.max(0, lo - pad);
    double yMax = Math.min(1, hi + pad);
    int n = list.size();
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    java.util.function.IntToDoubleFunction x = i -> LEFT + (n == 1 ? plotW / 2 : plotW * i / (n - 1));
    java.util.function.DoubleUnaryOperator y = v -> TOP + plotH * (yMax - v) / (yMax - yMin);
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg width=\"%d\" height=\"%d\" role=\"img\">%n", WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
        + "y2=\"%.1f\"/>%n", LEFT, TOP, LEFT, TOP + plotH));
    svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
        + "y2=\"%.1f\"/>%n", LEFT, TOP + plotH, WIDTH - RIGHT, TOP + plotH));
    for (double v : new double[] {yMin, (yMin + yMax) / 2, yMax}) {
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f"
          + "</text>%n", LEFT - 4, y.applyAsDouble(v) + 4, v));
    }
    StringBuilder band = new StringBuilder();
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < n; i++) {
      band.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(i),
          y.applyAsDouble(list.get(i).upper())));
      line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(i),
          y.applyAsDouble(list.get(i).estimated())));
    }
    for (int i = n - 1; i >= 0; i--) {
      band.append(String.format(Locale.ROOT, "%.1f,%.1f ", x.applyAsDouble(i),
          y.applyAsDouble(list.get(i).lower())));
    }
    svg.append("<polygon class=\"band\" points=\"").append(band.toString().trim()).append("\"/>\n");
    svg.append("<polyline class=\"est\" points=\"").append(line.toString().trim()).append("\"/>\n");
    for (int i = 0; i < n; i++) {
      Point p = list.get(i);
      svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\""
              + "#3182bd\"><title>%s estimated %.4f [%.4f, %.4f]</title></circle>%n",
          x.applyAsDouble(i), y.applyAsDouble(p.estimated()), escape(p.batch()), p.estimated(),
          p.lower(), p.upper()));
      if (p.realized() != null) {
        svg.append(String.format(Locale.ROOT, "<rect class=\"real\" x=\"%.1f\" y=\"%.1f\" "
                + "width=\"7\" height=\"7\"><title>%s realized %.4f</title></rect>%n",
            x.applyAsDouble(i) - 3.5, y.applyAsDouble(p.realized()) - 3.5, escape(p.batch()),
            p.realized()));
      }
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
          + "%s</text>%n", x.applyAsDouble(i), HEIGHT - BOTTOM + 16, escape(p.batch())));
    }
    return svg.append("</svg>\n").toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
