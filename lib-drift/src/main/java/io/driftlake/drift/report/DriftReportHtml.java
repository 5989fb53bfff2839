package io.driftlake.drift.report;

import io.driftlake.drift.format.Numbers;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.commons.text.StringEscapeUtils;

/**
 * {@code drift.html}: one self-contained page (inline CSS and SVG, no script, no external URL, no
 * web font) that opens from disk. A summary first (verdict and reason, drifted share, counts,
 * failed checks), then per feature, most severe first (drifted, then by how far the deciding
 * method is past its threshold), the reference vs current distribution, where KS decides the two
 * ECDFs with D marked, the method scores and the checks.
 *
 * <p>The page is the template {@code drift.mustache} (with {@code checks.mustache}) beside this
 * class; every value it shows is escaped with Commons Text's
 * {@link StringEscapeUtils#escapeHtml4} (Mustache's own escaper leaves text that looks like an
 * entity, e.g. a column named {@code a&amp;b}, unescaped). Numbers are in the {@link Numbers}
 * format and never print as NaN or Infinity.
 */
public final class DriftReportHtml {
  private static final Pattern NON_FINITE = Pattern.compile("(-?)Infinity|NaN");
  private static final Mustache PAGE = new DefaultMustacheFactory("io/driftlake/drift/report") {
    @Override
    public void encode(String value, Writer writer) {
      try {
        StringEscapeUtils.ESCAPE_HTML4.translate(value, writer);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }.compile("drift.mustache");

  private DriftReportHtml() {}

  /**
   * The page. Checks whose column is not a compared feature (schema checks, rules on such
   * columns) are listed in the summary.
   */
  public static String render(ReportRun run) {
    StringWriter out = new StringWriter(32_768);
    PAGE.execute(out, page(run));
    return out.toString();
  }

  // The template's view. A null table or chart is absent: its section is not rendered.
  record Page(String title, String reference, String current, String runId, String status,
              String heading, String reason, List<Field> fields, List<FeatureRow> rows,
              CheckTable otherChecks, SkippedTable skipped, CheckTable failedChecks,
              List<Section> features, MultivariateView.Section multivariate,
              SliceSection slices, EstimateSection estimates) {}

  record Field(String name, String value) {}

  record FeatureRow(String anchor, String feature, boolean critical, String type,
                    String verdictClass, String verdict, String decidedBy, String score,
                    String pValue, long failed) {
    boolean failing() {
      return failed > 0;
    }
  }

  record SkippedTable(List<Skipped> rows) {}

  record Skipped(String column, String type, String reason) {}

  record CheckTable(List<CheckRow> rows) {}

  record CheckRow(String check, String feature, String value, String threshold,
                  String resultClass, String result, String detail) {}

  record Section(String anchor, String status, String feature, String type, boolean drifted,
                 boolean critical, String decidedBy, String nullShares,
                 Charts.BarChart bars, Charts.EcdfChart ecdf, List<MethodRow> methods,
                 CheckTable checks) {}

  record MethodRow(String method, String score, String pValue, String threshold,
                   String verdictClass, String verdict, String note, String thresholdSource,
                   String rule) {}

  static Page page(ReportRun run) {
    DriftReport report = run.result().report();
    List<CheckResult> checks = run.result().checks();
    List<FeatureDrift> ordered = report.features().stream()
        .sorted(Comparator.comparing(FeatureDrift::drifted).reversed()
            .thenComparing(Comparator.comparingDouble(FeatureDrift::exceedance).reversed()))
        .toList();
    List<CheckResult> failed = run.result().failedChecks();
    long drifted = ordered.stream().filter(FeatureDrift::drifted).count();
    List<Field> fields = List.of(
        new Field("drifted features", String.format(Locale.ROOT,
            "%d of %d (%s; the dataset drifts at %s)", drifted, ordered.size(),
            Numbers.percent(ordered.isEmpty() ? 0 : (double) drifted / ordered.size()),
            Numbers.percent(report.driftedShareThreshold()))),
        new Field("features compared", String.format(Locale.ROOT, "%d numeric, %d categorical",
            count(ordered, FeatureType.NUMERIC), count(ordered, FeatureType.CATEGORICAL))),
        new Field("failed checks", failed.size() + " of " + checks.size()));
    List<FeatureRow> rows = ordered.stream().map(f -> new FeatureRow(anchor(f.feature()),
        f.feature(), f.critical(), f.type().id(), f.drifted() || f.unknown() ? "bad" : "ok",
        DriftReportText.verdict(f), f.decidedBy(),
        deciding(f).map(r -> Numbers.number(r.score())).orElse(Numbers.NONE),
        deciding(f).map(r -> Numbers.pValue(r.pValue())).orElse(Numbers.NONE),
        failed.stream().filter(c -> c.feature().equals(f.feature())).count())).toList();
    Set<String> compared = ordered.stream().map(FeatureDrift::feature)
        .collect(Collectors.toSet());
    List<Section> sections = ordered.stream().map(f -> section(f, run,
        checks.stream().filter(c -> c.feature().equals(f.feature())).toList())).toList();
    String title = "driftlake drift report: " + run.reference().label() + " vs "
        + run.current().label();
    return new Page(title, run.reference().label(), run.current().label(), run.runId(),
        report.status() == RunStatus.NO_DRIFT ? "ok" : "bad", heading(report.status()),
        report.reason(), fields, rows,
        table(checks.stream().filter(c -> !compared.contains(c.feature())).toList()),
        report.skipped().isEmpty() ? null : new SkippedTable(
            report.skipped().stream().map(DriftReportHtml::skipped).toList()),
        table(failed), sections, MultivariateView.of(report.multivariate()),
        SliceSection.of(report.slices()), EstimateSection.of(run.estimates()));
  }

  private static Section section(FeatureDrift f, ReportRun run, List<CheckResult> checks) {
    FeatureProfile reference = run.result().reference().profiles().get(f.feature());
    FeatureProfile current = run.result().current().profiles().get(f.feature());
    boolean values = reference.valid() > 0 || current.valid() > 0;
    Charts.BarChart bars = values
        ? Charts.bars(Bars.of(reference, current, run.result().settings().bins())) : null;
    Charts.EcdfChart ecdf = null;
    if (f.decidedBy().equals(DriftMethods.KS.id())
        && reference instanceof NumericProfile ref && current instanceof NumericProfile cur
        && ref.finiteCount() > 0 && cur.finiteCount() > 0) {
      ecdf = Charts.ecdf(ref, cur, deciding(f).map(MethodResult::score).orElse(null));
    }
    List<MethodRow> methods = f.results().stream().map(r -> new MethodRow(r.method(),
        Numbers.number(r.score()), Numbers.pValue(r.pValue()), Numbers.number(r.threshold()),
        r.verdict() == Verdict.NOT_DRIFTED ? "ok" : "bad", switch (r.verdict()) {
          case DRIFTED -> "yes";
          case NOT_DRIFTED -> "no";
          case UNKNOWN -> "unknown";
        },
        r.note() == null ? "" : finite(r.note()),
        r.conventions().getOrDefault("threshold_source", ""), rule(r))).toList();
    return new Section(anchor(f.feature()), f.drifted() ? "bad" : "ok", f.feature(),
        f.type().id(), f.drifted(), f.critical(), f.decidedBy(),
        Numbers.percent(f.referenceNullShare()) + " → " + Numbers.percent(f.currentNullShare()),
        bars, ecdf, methods, table(checks));
  }

  /**
   * A p-value method's rule with its effect (e.g. "p < 0.05 and D >= 0.05 (D = 0.003)"), else
   * the method's direction against its threshold.
   */
  private static String rule(MethodResult r) {
    String rule = r.conventions().get("rule");
    if (rule == null) {
      return r.pValue() != null ? "p < threshold" : "score >= threshold";
    }
    String effect = r.conventions().get("effect_size");
    String symbol = r.conventions().getOrDefault("effect_statistic", "effect").split(":")[0];
    return effect == null ? rule
        : rule + " (" + symbol + " = " + Numbers.number(Double.parseDouble(effect)) + ")";
  }

  private static CheckTable table(List<CheckResult> checks) {
    return checks.isEmpty() ? null : new CheckTable(checks.stream()
        .map(c -> new CheckRow(c.check(), c.feature(), Numbers.number(c.value()),
            Numbers.number(c.threshold()), c.failed() ? "bad" : "ok",
            DriftReportText.outcome(c), finite(c.detail())))
        .toList());
  }

  private static Skipped skipped(SkippedColumn c) {
    return new Skipped(c.column(), c.type(), c.reason());
  }

  private static long count(List<FeatureDrift> features, FeatureType type) {
    return features.stream().filter(f -> f.type() == type).count();
  }

  private static Optional<MethodResult> deciding(FeatureDrift f) {
    return f.results().stream().filter(r -> r.method().equals(f.decidedBy())).findFirst();
  }

  private static String heading(RunStatus status) {
    return switch (status) {
      case DRIFTED -> "Dataset drifted";
      case NO_DRIFT -> "No dataset drift";
      case INCOMPLETE -> "Incomplete: some verdicts are unknown";
      case NOT_COMPUTABLE -> "Not computable";
    };
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

  /** Engine notes may print a double with Double.toString: show "∞" and "n/a" instead. */
  static String finite(String text) {
    return NON_FINITE.matcher(text).replaceAll(m -> m.group().equals("NaN") ? "n/a"
        : m.group(1).isEmpty() ? "∞" : "-∞");
  }
}
