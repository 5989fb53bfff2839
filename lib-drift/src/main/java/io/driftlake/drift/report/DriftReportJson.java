package io.driftlake.drift.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.driftlake.drift.DriftResult;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.MultivariateDrift;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.api.SliceDrift;
import io.driftlake.drift.api.Slices;
import io.driftlake.drift.store.SelectionProfiles;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code drift.json}: the run, each side and where its profiles came from, the dataset status,
 * every feature's method results with their conventions, the skipped columns and the checks.
 * Numbers are written as JSON numbers at full precision (never rounded for display).
 */
public final class DriftReportJson {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DriftReportJson() {}

  /** The document, indented. */
  public static String render(ReportRun run) {
    try {
      return JSON.writeValueAsString(tree(run));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Could not write the JSON report of run " + run.runId(), e);
    }
  }

  static Map<String, Object> tree(ReportRun run) {
    DriftReport report = run.result().report();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("run_id", run.runId());
    root.put("computed_at", run.computedAt().toString());
    root.put("reference", side(run.reference(), run.result().reference()));
    root.put("current", side(run.current(), run.result().current()));
    root.put("statistics_mode", run.result().mode().id());
    if (!run.result().modeNote().isEmpty()) {
      root.put("statistics_mode_note", run.result().modeNote());
    }
    root.put("status", report.status().id());
    root.put("drifted", report.drifted());
    root.put("reason", report.reason());
    root.put("dataset_drift_share", report.driftedShareThreshold());
    root.put("drifted_features", report.driftedFeatures().stream().map(FeatureDrift::feature)
        .toList());
    root.put("schema", Map.of("only_in_reference", run.result().schema().onlyInReference(),
        "only_in_current", run.result().schema().onlyInCurrent()));
    List<Object> features = new ArrayList<>();
    for (FeatureDrift f : report.features()) {
      Map<String, Object> feature = new LinkedHashMap<>();
      feature.put("feature", f.feature());
      feature.put("type", f.type().id());
      feature.put("drifted", f.drifted());
      feature.put("verdict", f.verdict().id());
      feature.put("decided_by", f.decidedBy());
      feature.put("critical", f.critical());
      feature.put("null_share", Map.of("reference", f.referenceNullShare(),
          "current", f.currentNullShare()));
      List<Object> results = new ArrayList<>();
      for (MethodResult r : f.results()) {
        results.add(result(r));
      }
      feature.put("results", results);
      features.add(feature);
    }
    root.put("features", features);
    List<Object> skipped = new ArrayList<>();
    for (SkippedColumn c : report.skipped()) {
      skipped.add(column(c));
    }
    root.put("skipped", skipped);
    root.put("checks", checks(run.result().checks()));
    root.put("multivariate", multivariate(report.multivariate()));
    if (!report.slices().isEmpty()) {
      root.put("slices", slices(run));
    }
    root.put("performance_estimate", estimates(run.estimates()));
    return root;
  }

  /**
   * {@code "performance_estimate": {"available", "note", "models": [{"model_id", "run_id",
   * "estimated_at", "calibrated", "metrics": [{"metric", "estimate", "lower", "upper",
   * "realized", "realized_in_band"}]}]}}: the model performance estimated without labels on the
   * current selection; a band or realized value not known is null.
   */
  private static Map<String, Object> estimates(PerformanceEstimates estimates) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("available", estimates.available());
    m.put("note", estimates.note());
    List<Object> models = new ArrayList<>();
    for (PerformanceEstimates.ModelEstimate e : estimates.models()) {
      Map<String, Object> model = new LinkedHashMap<>();
      model.put("model_id", e.modelId());
      model.put("run_id", e.runId());
      model.put("estimated_at", e.estimatedAt().toString());
      model.put("calibrated", e.calibrated());
      List<Object> metrics = new ArrayList<>();
      for (PerformanceEstimates.Metric x : e.metrics()) {
        Map<String, Object> metric = new LinkedHashMap<>();
        metric.put("metric", x.metric());
        metric.put("estimate", x.estimate());
        metric.put("lower", x.lower());
        metric.put("upper", x.upper());
        metric.put("realized", x.realized());
        metric.put("realized_in_band", x.realizedInBand());
        metrics.add(metric);
      }
      model.put("metrics", metrics);
      models.add(model);
    }
    m.put("models", models);
    return m;
  }

  /** {@code "method","score","p_value","threshold","drifted","verdict",["note"],"conventions"}. */
  private static Map<String, Object> result(MethodResult r) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("method", r.method());
    result.put("score", r.score());
    result.put("p_value", r.pValue());
    result.put("threshold", r.threshold());
    result.put("drifted", r.drifted());
    result.put("verdict", r.verdict().id());
    if (r.note() != null) {
      result.put("note", r.note());
    }
    result.put("conventions", r.conventions());
    return result;
  }

  /**
   * {@code "multivariate": {"enabled", "drifted", "results": [...], "top_features":
   * [{"feature","importance"}], "skipped": [{"column","type","reason"}]}}; when not enabled, only
   * {@code "enabled": false} and the key that turns it on.
   */
  private static Map<String, Object> multivariate(MultivariateDrift drift) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("enabled", drift.enabled());
    if (!drift.enabled()) {
      m.put("reason", "off: driftlake.drift.multivariate.enabled = false");
      return m;
    }
    m.put("drifted", drift.drifted());
    m.put("results", drift.results().stream().map(DriftReportJson::result).toList());
    m.put("top_features", drift.topFeatures().stream().map(t -> Map.of("feature", t.feature(),
        "importance", t.importance())).toList());
    m.put("skipped", drift.skipped().stream().map(DriftReportJson::column).toList());
    return m;
  }

  private static Map<String, Object> column(SkippedColumn c) {
    return Map.of("column", c.column(), "type", c.type(), "reason", c.reason());
  }

  /** {@code "checks": [{"check","feature","value","threshold","failed","result","detail"}]}. */
  private static List<Object> checks(List<CheckResult> checks) {
    List<Object> list = new ArrayList<>();
    for (CheckResult c : checks) {
      Map<String, Object> check = new LinkedHashMap<>();
      check.put("check", c.check());
      check.put("feature", c.feature());
      check.put("value", c.value());
      check.put("threshold", c.threshold());
      check.put("failed", c.failed());
      check.put("result", DriftReportText.outcome(c));
      check.put("detail", c.detail());
      list.add(check);
    }
    return list;
  }

  /**
   * {@code "slices": {"ranked": [{"slice", "spec", "rank", "row_share", "drifted_share",
   * "impact", "status", "reason", "reference_rows", "current_rows", "drifted_features",
   * "features"}], "skipped": [{"spec", "reason"}]}}, most impact first; a slice's features are
   * written as the whole data's are.
   */
  private static Map<String, Object> slices(ReportRun run) {
    DriftResult result = run.result();
    Slices slices = result.report().slices();
    List<Object> ranked = new ArrayList<>();
    for (SliceDrift s : slices.ranked()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("slice", s.slice());
      m.put("spec", s.spec());
      m.put("rank", s.rank());
      m.put("row_share", s.rowShare());
      m.put("drifted_share", s.driftedShare());
      m.put("impact", s.impact());
      m.put("status", s.report().status().id());
      m.put("reason", s.report().reason());
      m.put("reference_rows", s.report().referenceRows());
      m.put("current_rows", s.report().currentRows());
      m.put("drifted_features", s.report().driftedFeatures().stream()
          .map(FeatureDrift::feature).toList());
      // The slice's features as the whole data's: the same tree, of the slice's report.
      m.put("features", tree(new ReportRun(run.runId(), run.computedAt(), run.reference(),
          run.current(), new DriftResult(s.report(), List.of(), result.reference(),
              result.current(), result.schema(), result.settings(), result.mode(),
              result.modeNote()))).get("features"));
      ranked.add(m);
    }
    List<Object> skipped = new ArrayList<>();
    for (Slices.SkippedSlice s : slices.skipped()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("spec", s.spec());
      m.put("reason", s.reason());
      skipped.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("ranked", ranked);
    out.put("skipped", skipped);
    return out;
  }

  private static Map<String, Object> side(ReportRun.Side side, SelectionProfiles profiles) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("table", side.table());
    m.put("version", side.version());
    m.put("selection", side.selection());
    m.put("rows", side.rows());
    m.put("profiles", Map.of("source", profiles.source().name().toLowerCase(Locale.ROOT),
        "detail", profiles.detail()));
    return m;
  }
}
