package io.driftlake.jobs.drift;

import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.compare.NumericBinning;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.quality.Text;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code drift.html}: one self-contained page (inline CSS and SVG, no script, no external URL, no
 * web font) that opens from disk. A summary first (verdict and reason, drifted share, counts,
 * failed checks), then per feature, most severe first (drifted, then by the deciding score), the
 * reference vs current distribution, the method scores and the checks.
 *
 * <p>Numeric plots use the bins PSI and JS use ({@link NumericBinning} from the reference
 * profile); categorical plots the 20 categories with the largest share on either side plus
 * "other". Every name and value is HTML-escaped; numbers never print as NaN or Infinity.
 */
public final class DriftReportHtml {
  /** Categories plotted before the rest are summed into "other". */
  static final int TOP_CATEGORIES = 20;
  private static final Pattern NON_FINITE = Pattern.compile("(-?)Infinity|NaN");

  private DriftReportHtml() {}

  /** What one side of the comparison was: table, version, whole snapshot or added rows, rows. */
  public record Selection(String table, long version, String selection, long rows) {
    String label() {
      return String.format(Locale.ROOT, "%s@%d%s (%,d rows)", table, version,
          selection.equals("added") ? ":added" : "", rows);
    }
  }

  static void write(DriftJob.DriftRun run, Map<String, FeatureProfile> reference,
                    Map<String, FeatureProfile> current, int bins,
                    org.apache.hadoop.conf.Configuration conf) {
    String html = render(run.runId(),
        new Selection(run.reference().table(), run.reference().version().getAsLong(),
            run.reference().selection(), run.referenceRows()),
        new Selection(run.current().table(), run.current().version().getAsLong(),
            run.current().selection(), run.currentRows()),
        run.report(), reference, current, run.checks(), bins);
    run.htmlFile().write(conf, html); // through the report folder's file system
  }

  /**
   * The page. {@code bins} is the numeric bin count PSI used ({@code driftlake.drift.bins}).
   * Checks whose column is not a compared feature (schema checks, rules on such columns) are
   * listed in the summary.
   */
  public static String render(String runId, Selection reference, Selection current,
                              DriftReport report, Map<String, FeatureProfile> referenceProfiles,
                              Map<String, FeatureProfile> currentProfiles,
                              List<CheckResult> checks, int bins) {
    List<FeatureDrift> ordered = report.features().stream()
        .sorted(Comparator.comparing(FeatureDrift::drifted).reversed()
            .thenComparing(Comparator.comparingDouble(FeatureDrift::exceedance).reversed()))
        .toList();
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>driftlake drift report: ").append(esc(reference.label())).append(" vs ")
        .append(esc(current.label())).append("</title>\n<style>\n").append(CSS)
        .append("</style>\n</head>\n<body>\n");
    summary(h, runId, reference, current, report, ordered, checks);
    h.append("<h2>Features, most severe first</h2>\n");
    for (FeatureDrift f : ordered) {
      feature(h, f, referenceProfiles.get(f.feature()), currentProfiles.get(f.feature()),
          checks.stream().filter(c -> c.feature().equals(f.feature())).toList(), bins);
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void summary(StringBuilder h, String runId, Selection reference,
                              Selection current, DriftReport report, List<FeatureDrift> ordered,
                              List<CheckResult> checks) {
    List<CheckResult> failed = checks.stream().filter(CheckResult::failed).toList();
    long drifted = ordered.stream().filter(FeatureDrift::drifted).count();
    h.append("<h1>Drift report</h1>\n<p class=\"meta\">reference <b>")
        .append(esc(reference.label())).append("</b> vs current <b>").append(esc(current.label()))
        .append("</b> · run ").append(esc(runId)).append("</p>\n");
    h.append("<section class=\"summary ")
        .append(report.status() == RunStatus.NO_DRIFT ? "ok" : "bad").append("\">\n")
        .append("<h2>").append(switch (report.status()) {
          case DRIFTED -> "Dataset drifted";
          case NO_DRIFT -> "No dataset drift";
          case INCOMPLETE -> "Incomplete: some verdicts are unknown";
          case NOT_COMPUTABLE -> "Not computable";
        })
        .append("</h2>\n<p>").append(esc(report.reason())).append("</p>\n<table class=\"kv\">\n");
    row(h, "drifted features", String.format(Locale.ROOT, "%d of %d (%s; the dataset drifts at %s)",
        drifted, ordered.size(), percent(ordered.isEmpty() ? 0 : (double) drifted / ordered.size()),
        percent(report.driftedShareThreshold())));
    row(h, "features compared", String.format(Locale.ROOT, "%d numeric, %d categorical",
        ordered.stream().filter(f -> f.type().id().equals("numeric")).count(),
        ordered.stream().filter(f -> f.type().id().equals("categorical")).count()));
    row(h, "failed checks", failed.size() + " of " + checks.size());
    h.append("</table>\n");
    h.append("<table class=\"grid\">\n<tr><th>feature</th><th>type</th><th>drifted</th>")
        .append("<th>decided by</th><th>score</th><th>failed checks</th></tr>\n");
    for (FeatureDrift f : ordered) {
      long fails = failed.stream().filter(c -> c.feature().equals(f.feature())).count();
      h.append("<tr><td><a href=\"#").append(esc(anchor(f.feature()))).append("\">")
          .append(esc(f.feature())).append("</a>").append(f.critical() ? " (critical)" : "")
          .append("</td><td>").append(f.type().id()).append("</td><td class=\"")
          .append(f.drifted() ? "bad\">yes" : f.unknown() ? "bad\">unknown" : "ok\">no")
          .append("</td><td>")
          .append(esc(f.decidedBy())).append("</td><td class=\"num\">")
          .append(number(deciding(f))).append("</td><td class=\"num").append(fails > 0 ? " bad" : "")
          .append("\">").append(fails).append("</td></tr>\n");
    }
    h.append("</table>\n");
    TreeSet<String> features = new TreeSet<>();
    ordered.forEach(f -> features.add(f.feature()));
    List<CheckResult> other = checks.stream().filter(c -> !features.contains(c.feature())).toList();
    if (!other.isEmpty()) {
      h.append("<h3>Schema and other column checks</h3>\n");
      checkTable(h, other);
    }
    if (!report.skipped().isEmpty()) {
      h.append("<h3>Columns not compared</h3>\n<table class=\"grid\">\n")
          .append("<tr><th>column</th><th>type</th><th>skipped</th></tr>\n");
      for (SkippedColumn c : report.skipped()) {
        h.append("<tr><td>").append(esc(c.column())).append("</td><td>").append(esc(c.type()))
            .append("</td><td>skipped: ").append(esc(c.reason())).append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
    if (!failed.isEmpty()) {
      h.append("<h3>Failed checks</h3>\n");
      checkTable(h, failed);
    }
    h.append("</section>\n");
  }

  private static void feature(StringBuilder h, FeatureDrift f, FeatureProfile reference,
                              FeatureProfile current, List<CheckResult> checks, int bins) {
    h.append("<section class=\"feature ").append(f.drifted() ? "bad" : "ok").append("\" id=\"")
        .append(esc(anchor(f.feature()))).append("\">\n<h3>").append(esc(f.feature()))
        .append(" <span class=\"tag\">").append(f.type().id()).append("</span>")
        .append(f.drifted() ? " <span class=\"tag bad\">drifted</span>" : "")
        .append(f.critical() ? " <span class=\"tag\">critical</span>" : "").append("</h3>\n");
    h.append("<p class=\"meta\">decided by ").append(esc(f.decidedBy())).append(" · null share ")
        .append(percent(f.referenceNullShare())).append(" → ").append(percent(f.currentNullShare()))
        .append("</p>\n");
    plot(h, reference, current, bins);
    h.append("<table class=\"grid\">\n<tr><th>method</th><th>score</th><th>p-value</th>")
        .append("<th>threshold</th><th>drifted</th><th>note</th></tr>\n");
    for (MethodResult r : f.results()) {
      h.append("<tr><td>").append(esc(r.method())).append("</td><td class=\"num\">")
          .append(number(r.score())).append("</td><td class=\"num\">").append(number(r.pValue()))
          .append("</td><td class=\"num\">").append(number(r.threshold())).append("</td><td class=\"")
          .append(r.drifted() ? "bad\">yes" : "ok\">no").append("</td><td>")
          .append(r.note() == null ? "" : esc(finite(r.note()))).append("</td></tr>\n");
    }
    h.append("</table>\n");
    if (!checks.isEmpty()) {
      checkTable(h, checks);
    }
    h.append("</section>\n");
  }

  private static void checkTable(StringBuilder h, List<CheckResult> checks) {
    h.append("<table class=\"grid\">\n<tr><th>check</th><th>column</th><th>value</th>")
        .append("<th>limit</th><th>result</th><th>detail</th></tr>\n");
    for (CheckResult c : checks) {
      String result = c.failed() ? "failed" : c.notComputable() ? "not computable" : "passed";
      h.append("<tr><td>").append(esc(c.check())).append("</td><td>").append(esc(c.feature()))
          .append("</td><td class=\"num\">").append(number(c.value())).append("</td><td class=\"num\">")
          .append(number(c.threshold())).append("</td><td class=\"")
          .append(c.failed() ? "bad" : "ok").append("\">").append(result).append("</td><td>")
          .append(esc(finite(c.detail()))).append("</td></tr>\n");
    }
    h.append("</table>\n");
  }

  /** One labelled bar pair per bin or category: shares of each side's non-null values. */
  record Bars(List<String> labels, double[] reference, double[] current, String caption) {}

  static Bars bars(FeatureProfile reference, FeatureProfile current, int bins) {
    if (reference instanceof NumericProfile ref && current instanceof NumericProfile cur) {
      NumericBinning binning = NumericBinning.fromReference(ref, bins);
      double[] edges = binning.edges();
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < binning.bins(); i++) {
        labels.add(edges.length == 0 ? "all values"
            : i == 0 ? "to " + Text.number(edges[0])
            : i == edges.length ? "from " + Text.number(edges[i - 1])
            : Text.number(edges[i - 1]) + " – " + Text.number(edges[i]));
      }
      return new Bars(labels, shares(binning.counts(ref)), shares(binning.counts(cur)),
          binning.bins() + " bins at the reference's quantiles, as PSI and JS cut them (from "
              + "the profiles, [e_i, e_i+1), outer bins open; the PSI row records the exact "
              + "edges)");
    }
    CategoricalProfile ref = (CategoricalProfile) reference;
    CategoricalProfile cur = (CategoricalProfile) current;
    TreeSet<String> union = new TreeSet<>(ref.counts().keySet());
    union.addAll(cur.counts().keySet());
    List<String> ranked = union.stream().sorted(Comparator.comparingDouble(
            (String k) -> -Math.max(share(ref, k), share(cur, k))).thenComparing(k -> k))
        .toList();
    List<String> shown = ranked.subList(0, Math.min(TOP_CATEGORIES, ranked.size()));
    int rest = ranked.size() - shown.size();
    // A capped (top-k) profile's folded values belong in "other" too, so the bars sum to 1.
    boolean folded = ref.otherCount() > 0 || cur.otherCount() > 0;
    int n = shown.size() + (rest > 0 || folded ? 1 : 0);
    double[] r = new double[n];
    double[] c = new double[n];
    List<String> labels = new ArrayList<>(shown);
    for (int i = 0; i < shown.size(); i++) {
      r[i] = share(ref, shown.get(i));
      c[i] = share(cur, shown.get(i));
    }
    if (rest > 0 || folded) {
      labels.add(folded ? "other (" + rest + " + folded)" : "other (" + rest + ")");
      for (String k : ranked.subList(shown.size(), ranked.size())) {
        r[n - 1] += share(ref, k);
        c[n - 1] += share(cur, k);
      }
      r[n - 1] += ref.valid() == 0 ? 0 : (double) ref.otherCount() / ref.valid();
      c[n - 1] += cur.valid() == 0 ? 0 : (double) cur.otherCount() / cur.valid();
    }
    return new Bars(labels, r, c, union.size() + " categories" + (rest > 0
        ? ", the " + TOP_CATEGORIES + " with the largest share on either side shown" : "")
        + (folded ? "; \"other\" includes the values a capped profile folded (see "
            + "driftlake.drift.profile.max-categories)" : ""));
  }

  private static void plot(StringBuilder h, FeatureProfile reference, FeatureProfile current,
                           int bins) {
    if (reference.valid() == 0 && current.valid() == 0) {
      h.append("<p class=\"meta\">no non-null values on either side: nothing to plot</p>\n");
      return;
    }
    Bars b = bars(reference, current, bins);
    int n = b.labels().size();
    double top = 0;
    for (int i = 0; i < n; i++) {
      top = Math.max(top, Math.max(b.reference()[i], b.current()[i]));
    }
    top = top > 0 ? top : 1;
    int group = 44;
    int left = 48;
    int plotHeight = 160;
    int width = Math.max(360, left + n * group + 16);
    int height = plotHeight + 96;
    h.append("<figure>\n<svg width=\"").append(width)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
        .append(height).append("\" role=\"img\">\n");
    // y axis: 0 and the top share
    h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n",
        left, 20, left, 20 + plotHeight));
    h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n",
        left, 20 + plotHeight, width - 8, 20 + plotHeight));
    h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%s</text>\n",
        left - 4, 24, percent(top)));
    h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">0</text>\n",
        left - 4, 20 + plotHeight));
    h.append("<rect x=\"").append(width - 190).append("\" y=\"4\" width=\"10\" height=\"10\" class=\"ref\"/>")
        .append("<text x=\"").append(width - 176).append("\" y=\"13\" class=\"tick\">reference</text>")
        .append("<rect x=\"").append(width - 100).append("\" y=\"4\" width=\"10\" height=\"10\" class=\"cur\"/>")
        .append("<text x=\"").append(width - 86).append("\" y=\"13\" class=\"tick\">current</text>\n");
    for (int i = 0; i < n; i++) {
      int x = left + 4 + i * group;
      bar(h, x, b.reference()[i], top, plotHeight, "ref", "reference", b.labels().get(i));
      bar(h, x + 18, b.current()[i], top, plotHeight, "cur", "current", b.labels().get(i));
      String label = b.labels().get(i);
      String shortLabel = label.length() > 14 ? label.substring(0, 13) + "…" : label;
      h.append(String.format(Locale.ROOT,
          "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\" transform=\"rotate(-40 %d %d)\">"
              + "<title>%s</title>%s</text>\n",
          x + 20, 34 + plotHeight, x + 20, 34 + plotHeight, esc(label), esc(shortLabel)));
    }
    h.append("</svg>\n<figcaption>").append(esc(b.caption()))
        .append("; bar height = share of the side's non-null values</figcaption>\n</figure>\n");
  }

  private static void bar(StringBuilder h, int x, double share, double top, int plotHeight,
                          String css, String side, String label) {
    double height = share / top * plotHeight;
    h.append(String.format(Locale.ROOT,
        "<rect x=\"%d\" y=\"%.1f\" width=\"16\" height=\"%.1f\" class=\"%s\"><title>%s %s: %s</title></rect>\n",
        x, 20 + plotHeight - height, height, css, side, esc(label), percent(share)));
  }

  private static double[] shares(long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] shares = new double[counts.length];
    for (int i = 0; i < counts.length && total > 0; i++) {
      shares[i] = (double) counts[i] / total;
    }
    return shares;
  }

  private static double share(CategoricalProfile p, String category) {
    return p.valid() == 0 ? 0 : (double) p.counts().getOrDefault(category, 0L) / p.valid();
  }

  private static Double deciding(FeatureDrift f) {
    return f.results().stream().filter(r -> r.method().equals(f.decidedBy())).findFirst()
        .map(MethodResult::score).orElse(null);
  }

  private static void row(StringBuilder h, String key, String value) {
    h.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value))
        .append("</td></tr>\n");
  }

  /**
   * An element id for a feature: its name with every character but ASCII letters, digits and
   * '-' written as '_' and its code point in hex, so any column name gives a valid, unique id.
   */
  static String anchor(String feature) {
    StringBuilder id = new StringBuilder("feature-");
    feature.codePoints().forEach(c -> {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
        id.appendCodePoint(c);
      } else {
        id.append('_').append(Integer.toHexString(c)).append('_');
      }
    });
    return id.toString();
  }

  /** A number for the page: null and non-finite values as a dash. */
  static String number(Double v) {
    return v == null || !Double.isFinite(v) ? "–" : Text.number(v);
  }

  static String percent(double share) {
    return Double.isFinite(share)
        ? String.format(Locale.ROOT, "%.1f %%", share * 100) : "–";
  }

  /** Engine notes may print a double with Double.toString: show "∞" and "n/a" instead. */
  static String finite(String text) {
    return NON_FINITE.matcher(text).replaceAll(m -> m.group().equals("NaN") ? "n/a"
        : m.group(1).isEmpty() ? "∞" : "-∞");
  }

  static String esc(String text) {
    StringBuilder s = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      switch (ch) {
        case '&' -> s.append("&amp;");
        case '<' -> s.append("&lt;");
        case '>' -> s.append("&gt;");
        case '"' -> s.append("&quot;");
        case '\'' -> s.append("&#39;");
        default -> s.append(ch);
      }
    }
    return s.toString();
  }

  private static final String CSS = """
      body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
             margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #1d2330; }
      h1 { margin-bottom: 4px; }
      .meta { color: #5a6270; margin: 4px 0 12px; }
      section { border: 1px solid #d8dce3; border-left-width: 6px; border-radius: 6px;
                padding: 8px 16px 12px; margin: 16px 0; }
      section.bad { border-left-color: #c0392b; }
      section.ok { border-left-color: #2e8b57; }
      table { border-collapse: collapse; margin: 8px 0; }
      table.grid th, table.grid td { border-bottom: 1px solid #e4e7ec; padding: 3px 10px;
                                     text-align: left; vertical-align: top; }
      table.kv th { text-align: left; padding-right: 16px; font-weight: 600; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; }
      td.bad, .tag.bad { color: #c0392b; font-weight: 600; }
      td.ok { color: #2e8b57; }
      .tag { font-size: 12px; font-weight: 500; border: 1px solid #c9ced6; border-radius: 10px;
             padding: 0 8px; color: #5a6270; }
      figure { margin: 8px 0; overflow-x: auto; }
      figcaption { color: #5a6270; font-size: 12px; }
      svg .axis { stroke: #8a919c; stroke-width: 1; }
      svg .tick { font-size: 11px; fill: #3c4350; }
      svg .ref { fill: #7f9cc4; }
      svg .cur { fill: #e8833a; }
      """;
}
