package io.driftlake.bench;

import static org.apache.spark.sql.functions.when;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.Verdict;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** How approximate mode's results compare with the exact ones (the bench's last lines). */
final class ApproximateErrors {
  private ApproximateErrors() {}

  /**
   * Approximate mode's false flags: KS and W1 results (and features) that the profiles-only
   * comparison flags but the exact one does not, and how many it leaves undecided (their error
   * interval straddles the threshold; {@code analyse} refines those exactly). Beside them, what
   * taking the verdict from the estimate itself (the rule before) would have flagged falsely.
   */
  static void falseFlags(DriftReport approximate, DriftReport exact) {
    Map<String, MethodResult> exactResults = new LinkedHashMap<>();
    exact.features().forEach(f -> f.results().forEach(
        r -> exactResults.put(f.feature() + "/" + r.method(), r)));
    int results = 0;
    int falseFlags = 0;
    int undecided = 0;
    int estimateFalseFlags = 0;
    for (FeatureDrift f : approximate.features()) {
      for (MethodResult r : f.results()) {
        if (!r.computable() || !"approximate".equals(r.conventions().get("mode"))) {
          continue;
        }
        results++;
        MethodResult e = exactResults.get(f.feature() + "/" + r.method());
        boolean exactFlags = e != null && e.drifted();
        falseFlags += r.drifted() && !exactFlags ? 1 : 0;
        undecided += r.verdict() == Verdict.UNKNOWN ? 1 : 0;
        boolean estimateFlags = r.pValue() != null ? r.pValue() < r.threshold()
            : r.score() >= r.threshold();
        estimateFalseFlags += estimateFlags && !exactFlags ? 1 : 0;
      }
    }
    long featureFalseFlags = approximate.features().stream().filter(FeatureDrift::drifted)
        .filter(f -> exact.features().stream().noneMatch(
            e -> e.feature().equals(f.feature()) && e.drifted()))
        .count();
    long featuresUndecided = approximate.features().stream().filter(FeatureDrift::unknown)
        .count();
    System.out.printf(Locale.ROOT, "approximate mode false flags: %d of %d approximate KS/W1 "
            + "results (%d undecided, refined exactly when the data is readable); features: %d "
            + "false flags, %d undecided of %d; a verdict from the estimate itself would have "
            + "flagged %d falsely%n", falseFlags, results, undecided, featureFalseFlags,
        featuresUndecided, approximate.features().size(), estimateFalseFlags);
  }

  static double maxBound(DriftReport report, String method) {
    return report.features().stream().flatMap(f -> f.results().stream())
        .filter(r -> r.method().equals(method) && r.conventions().containsKey("error_bound"))
        .mapToDouble(r -> Double.parseDouble(r.conventions().get("error_bound")))
        .max().orElse(0);
  }
}
