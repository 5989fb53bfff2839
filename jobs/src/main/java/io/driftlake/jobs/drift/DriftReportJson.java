package io.driftlake.jobs.drift;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.profile.ProfileStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code drift.json} and the console summary of a drift run. */
public final class DriftReportJson {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DriftReportJson() {}

  /** Writes {@code drift.json} through the report folder's file system (local disk, s3a, …). */
  static void write(DriftJob.DriftRun run, org.apache.hadoop.conf.Configuration conf) {
    String json;
    try {
      json = JSON.writeValueAsString(tree(run));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + run.reportFile(), e);
    }
    run.reportFile().write(conf, json);
  }

  static Map<String, Object> tree(DriftJob.DriftRun run) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("run_id", run.runId());
    root.put("computed_at", run.computedAt().toInstant().toString());
    root.put("reference", side(run.reference(), run.referenceRows(), run.referenceProfiles()));
    root.put("current", side(run.current(), run.currentRows(), run.currentProfiles()));
    root.put("statistics_mode", run.mode().id());
    if (!run.modeNote().isEmpty()) {
      root.put("statistics_mode_note", run.modeNote());
    }
    root.put("status", run.report().status().id());
    root.put("drifted", run.report().drifted());
    root.put("reason", run.report().reason());
    root.put("dataset_drift_share", run.report().driftedShareThreshold());
    root.put("drifted_features", run.report().driftedFeatures().stream().map(FeatureDrift::feature).toList());
    root.put("schema", Map.of("only_in_reference", run.schema().onlyInReference(),
        "only_in_current", run.schema().onlyInCurrent()));
    List<Object> features = new ArrayList<>();
    for (FeatureDrift f : run.report().features()) {
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
        results.add(result);
      }
      feature.put("results", results);
      features.add(feature);
    }
    root.put("features", features);
    List<Object> skipped = new ArrayList<>();
    for (SkippedColumn c : run.report().skipped()) {
      skipped.add(Map.of("column", c.column(), "type", c.type(), "reason", c.reason()));
    }
    root.put("skipped", skipped);
    root.put("checks", checks(run.checks()));
    return root;
  }

  /** {@code "checks": [{"check","feature","value","threshold","failed","detail"}]}. */
  private static List<Object> checks(List<CheckResult> checks) {
    List<Object> list = new ArrayList<>();
    for (CheckResult c : checks) {
      Map<String, Object> check = new LinkedHashMap<>();
      check.put("check", c.check());
      check.put("feature", c.feature());
      check.put("value", c.value());
      check.put("threshold", c.threshold());
      check.put("failed", c.failed());
      check.put("result", c.failed() ? "failed" : c.notComputable() ? "not computable"
          : "passed");
      check.put("detail", c.detail());
      list.add(check);
    }
    return list;
  }

  private static Map<String, Object> side(TableRef ref, long rows,
                                          ProfileStore.Profiles profiles) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("table", ref.table());
    m.put("version", ref.version().getAsLong());
    m.put("selection", ref.selection());
    m.put("rows", rows);
    m.put("profiles", Map.of("source", profiles.source().name().toLowerCase(Locale.ROOT),
        "detail", profiles.detail()));
    return m;
  }

  static String summary(DriftJob.DriftRun run) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "drift: %s (%d rows) vs %s (%d rows): %s%n",
        run.reference(), run.referenceRows(), run.current(), run.currentRows(),
        switch (run.report().status()) {
          case DRIFTED -> "DRIFT";
          case NO_DRIFT -> "no drift";
          case INCOMPLETE -> "INCOMPLETE (some verdicts unknown)";
          case NOT_COMPUTABLE -> "NOT COMPUTABLE";
        }));
    s.append("  ").append(run.report().reason()).append(System.lineSeparator());
    s.append(String.format(Locale.ROOT, "  profiles: reference %s; current %s; KS/W1 %s%n",
        run.referenceProfiles().detail(), run.currentProfiles().detail(), run.mode().id()
            + (run.modeNote().isEmpty() ? "" : " (" + run.modeNote() + ")")));
    s.append(String.format(Locale.ROOT, "  %-20s %-12s %-7s %10s %10s %10s%n", "feature", "type",
        "drifted", "psi", "js", "ks p"));
    for (FeatureDrift f : run.report().features()) {
      s.append(String.format(Locale.ROOT, "  %-20s %-12s %-7s %10s %10s %10s%n", f.feature(),
          f.type().id(), f.drifted() ? "yes" : f.unknown() ? "unknown" : "no",
          score(f, "psi", false), score(f, "js", false), score(f, "ks", true)));
    }
    for (SkippedColumn c : run.report().skipped()) {
      s.append(String.format(Locale.ROOT, "  %-20s %-12s skipped: %s%n", c.column(), c.type(),
          c.reason()));
    }
    List<CheckResult> failed = run.checks().stream().filter(CheckResult::failed).toList();
    List<CheckResult> notComputable = run.checks().stream().filter(CheckResult::notComputable)
        .toList();
    s.append(String.format(Locale.ROOT, "  checks: %d of %d failed, %d not computable%n",
        failed.size(), run.checks().size(), notComputable.size()));
    for (CheckResult c : notComputable) {
      s.append(String.format(Locale.ROOT, "    %-20s %-20s %s%n", c.feature(), c.check(),
          c.detail()));
    }
    for (CheckResult c : failed) {
      s.append(String.format(Locale.ROOT, "    %-20s %-20s %s%n", c.feature(), c.check(),
          c.detail()));
    }
    return s.toString();
  }

  private static String score(FeatureDrift f, String method, boolean pValue) {
    return f.results().stream().filter(r -> r.method().equals(method)).findFirst()
        .map(r -> pValue ? r.pValue() : r.score())
        .map(v -> String.format(Locale.ROOT, "%.4g", v)).orElse("-");
  }
}
