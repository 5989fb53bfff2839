package io.driftlake.drift.report;

import io.driftlake.drift.format.Numbers;
import io.driftlake.drift.DriftResult;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.SkippedColumn;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The console summary of a drift run: the verdict and its reason, where the profiles came from,
 * one line per feature (PSI, JS, KS p-value in the {@link Numbers} format), a line per result
 * an effect-size floor overruled or a calibrated threshold decided, the skipped columns,
 * and the checks that failed or could not be computed.
 */
public final class DriftReportText {
  private DriftReportText() {}

  /** The summary, one line per item, each ending with the platform's line separator. */
  public static String render(ReportRun run) {
    DriftResult result = run.result();
    StringBuilder s = new StringBuilder();
    line(s, "drift: %s vs %s: %s", run.reference().label(), run.current().label(),
        switch (result.report().status()) {
          case DRIFTED -> "DRIFT";
          case NO_DRIFT -> "no drift";
          case INCOMPLETE -> "INCOMPLETE (some verdicts unknown)";
          case NOT_COMPUTABLE -> "NOT COMPUTABLE";
        });
    line(s, "  %s", result.report().reason());
    line(s, "  profiles: reference %s; current %s; KS/W1 %s", result.reference().detail(),
        result.current().detail(), result.mode().id()
            + (result.modeNote().isEmpty() ? "" : " (" + result.modeNote() + ")"));
    String row = "  %-20s %-12s %-7s %10s %10s %10s";
    line(s, row, "feature", "type", "drifted", "psi", "js", "ks p");
    for (FeatureDrift f : result.report().features()) {
      line(s, row, f.feature(), f.type().id(), verdict(f),
          shown(f, "psi", r -> Numbers.number(r.score())),
          shown(f, "js", r -> Numbers.number(r.score())),
          shown(f, "ks", r -> Numbers.pValue(r.pValue())));
    }
    for (FeatureDrift f : result.report().features()) {
      for (MethodResult r : f.results()) {
        if (r.conventions().getOrDefault("decision", "").startsWith("effect")
            || r.conventions().containsKey("threshold_calibration")) {
          line(s, "    %-20s %-12s %s; threshold %s (%s)%s", f.feature(), r.method(),
              r.conventions().getOrDefault("rule", "score vs threshold"),
              Numbers.number(r.threshold()), r.conventions().get("threshold_source"),
              r.note() == null ? "" : ": " + r.note());
        }
      }
    }
    for (SkippedColumn c : result.report().skipped()) {
      line(s, "  %-20s %-12s skipped: %s", c.column(), c.type(), c.reason());
    }
    List<CheckResult> failed = result.failedChecks();
    List<CheckResult> notComputable = result.checks().stream()
        .filter(CheckResult::notComputable).toList();
    line(s, "  checks: %d of %d failed, %d not computable", failed.size(),
        result.checks().size(), notComputable.size());
    for (CheckResult c : notComputable) {
      line(s, "    %-20s %-20s %s", c.feature(), c.check(), c.detail());
    }
    for (CheckResult c : failed) {
      line(s, "    %-20s %-20s %s", c.feature(), c.check(), c.detail());
    }
    for (MethodResult r : result.report().multivariate().results()) {
      line(s, "  multivariate %-18s %-12s %s vs %s%s", r.method(), r.verdict().id(),
          Numbers.number(r.score()), Numbers.number(r.threshold()),
          r.note() == null ? "" : " (" + r.note() + ")");
    }
    for (PerformanceEstimates.ModelEstimate e : run.estimates().models()) {
      line(s, "  estimated without labels (model %s%s): %s", e.modelId(),
          e.calibrated() ? ", calibrated" : "", String.join(", ", e.metrics().stream()
              .filter(m -> m.lower() != null).map(m -> String.format(Locale.ROOT,
                  "%s %s [%s, %s]%s", m.metric(), Numbers.number(m.estimate()),
                  Numbers.number(m.lower()), Numbers.number(m.upper()), m.realized() == null
                      ? "" : " realized " + Numbers.number(m.realized()))).toList()));
    }
    return s.toString();
  }

  /** A feature's verdict in a word: yes, no or unknown. */
  static String verdict(FeatureDrift f) {
    return f.drifted() ? "yes" : f.unknown() ? "unknown" : "no";
  }

  /** A check's outcome: failed, not computable or passed. */
  static String outcome(CheckResult c) {
    return c.failed() ? "failed" : c.notComputable() ? "not computable" : "passed";
  }

  private static String shown(FeatureDrift f, String method, Function<MethodResult, String> how) {
    return f.results().stream().filter(r -> r.method().equals(method)).findFirst().map(how)
        .orElse("-");
  }

  private static void line(StringBuilder s, String format, Object... args) {
    s.append(String.format(Locale.ROOT, format, args)).append(System.lineSeparator());
  }
}
