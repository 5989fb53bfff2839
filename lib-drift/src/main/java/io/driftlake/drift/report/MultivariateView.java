package io.driftlake.drift.report;

import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.MultivariateDrift;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.format.Numbers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The page's "Multivariate drift" section: the domain classifier's AUC against its threshold with
 * its top features as horizontal bars, the PCA reconstruction error against its band on a number
 * line, each method's verdict and conventions, and the columns left out. When multivariate drift
 * is off, one line saying how to turn it on.
 */
final class MultivariateView {
  private static final int WIDTH = 560;
  private static final int LABEL = 150;
  private static final int ROW = 22;

  private MultivariateView() {}

  /** The section's view; {@code off} is set (and nothing else) when it was not asked for. */
  record Section(String status, String off, List<Method> methods, Importances importances,
                 Band band, DriftReportHtml.SkippedTable leftOut) {}

  /** One method: its summary line, verdict, note and conventions. */
  record Method(String method, String summary, String verdictClass, String verdict, String note,
                List<DriftReportHtml.Field> conventions) {}

  /** The classifier's top features: one bar each, width in proportion to its importance. */
  record Importances(int width, int height, List<Bar> bars, String caption) {}

  record Bar(String feature, int y, int textY, int x, String width, String value, int valueX) {}

  /** The PCA error on a number line: the band as a box, the error as a marker. */
  record Band(int width, int height, String bandX, String bandWidth, String markerX,
              String lower, String upper, String error, String caption) {}

  static Section of(MultivariateDrift drift) {
    if (!drift.enabled()) {
      return new Section("ok", "off: set driftlake.drift.multivariate.enabled = true for the "
          + "domain classifier and the PCA reconstruction error", List.of(), null, null, null);
    }
    List<Method> methods = new ArrayList<>();
    Band band = null;
    for (MethodResult r : drift.results()) {
      methods.add(method(r));
      if (r.method().equals(MultivariateDrift.PCA_RECONSTRUCTION) && r.computable()) {
        band = band(r);
      }
    }
    boolean alarm = drift.results().stream().anyMatch(r -> r.verdict() != Verdict.NOT_DRIFTED);
    return new Section(alarm ? "bad" : "ok", null, methods,
        drift.topFeatures().isEmpty() ? null : importances(drift.topFeatures()), band,
        drift.skipped().isEmpty() ? null : new DriftReportHtml.SkippedTable(drift.skipped()
            .stream().map(c -> new DriftReportHtml.Skipped(c.column(), c.type(), c.reason()))
            .toList()));
  }

  private static Method method(MethodResult r) {
    String summary;
    if (!r.computable()) {
      summary = "not computable";
    } else if (r.method().equals(MultivariateDrift.DOMAIN_CLASSIFIER)) {
      summary = String.format(Locale.ROOT, "ROC AUC %s vs threshold %s (folds %s; an AUC's "
              + "noise under no drift: sd %s a fold)", Numbers.number(r.score()),
          Numbers.number(r.threshold()), r.conventions().get("fold_aucs"),
          r.conventions().get("null_auc_sd"));
    } else {
      summary = String.format(Locale.ROOT, "error %s vs band %s (%s components)",
          Numbers.number(r.score()), r.conventions().get("band"),
          r.conventions().get("components"));
    }
    List<DriftReportHtml.Field> conventions = r.conventions().entrySet().stream()
        .map((Map.Entry<String, String> e) -> new DriftReportHtml.Field(e.getKey(),
            DriftReportHtml.finite(e.getValue()))).toList();
    return new Method(r.method(), summary, r.verdict() == Verdict.NOT_DRIFTED ? "ok" : "bad",
        switch (r.verdict()) {
          case DRIFTED -> "drifted";
          case NOT_DRIFTED -> "not drifted";
          case UNKNOWN -> "unknown";
        }, r.note() == null ? "" : r.note(), conventions);
  }

  private static Importances importances(List<MultivariateDrift.Importance> top) {
    double largest = top.stream().mapToDouble(MultivariateDrift.Importance::importance).max()
        .orElse(1);
    int plot = WIDTH - LABEL - 70;
    List<Bar> bars = new ArrayList<>();
    for (int i = 0; i < top.size(); i++) {
      MultivariateDrift.Importance t = top.get(i);
      double w = largest > 0 ? plot * t.importance() / largest : 0;
      bars.add(new Bar(Bars.shortened(t.feature(), 20), 6 + i * ROW, 20 + i * ROW, LABEL,
          Numbers.number(w, 4), Numbers.number(t.importance()), (int) Math.round(LABEL + w + 6)));
    }
    return new Importances(WIDTH, 12 + top.size() * ROW, bars, "The domain classifier's top "
        + top.size() + " features by GBT importance (averaged over the folds; a column's "
        + "missing-value indicator counted with it): what tells the sides apart.");
  }

  private static Band band(MethodResult r) {
    double lower = Double.parseDouble(r.conventions().get("band_lower"));
    double upper = Double.parseDouble(r.conventions().get("band_upper"));
    double error = r.score();
    double from = Math.min(Math.min(lower, error), 0);
    double to = Math.max(upper, error) * 1.1;
    double scale = (WIDTH - 40) / (to - from);
    return new Band(WIDTH, 50, Numbers.number(20 + (lower - from) * scale, 5),
        Numbers.number(Math.max(1, (upper - lower) * scale), 5),
        Numbers.number(20 + (error - from) * scale, 5), Numbers.number(lower),
        Numbers.number(upper), Numbers.number(error), "The current's mean reconstruction error "
            + "(marker) against the band of the reference's chunk errors (box).");
  }
}
