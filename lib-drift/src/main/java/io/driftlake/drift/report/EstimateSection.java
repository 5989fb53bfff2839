package io.driftlake.drift.report;

import io.driftlake.drift.format.Numbers;
import java.util.List;

/**
 * The page's "Model performance without labels" section: per model, its latest estimate of the
 * current selection, each metric with its band and, once the labels landed, the realized value
 * and whether the band holds it; one line saying why when there is no estimate. Absent (null)
 * when the report was built without a lookup.
 */
record EstimateSection(String note, List<Model> models) {
  /** One model's estimate. */
  record Model(String heading, List<Row> rows) {}

  /** One metric's line of the table. */
  record Row(String metric, String estimate, String band, String realized, String inBandClass,
             String inBand) {}

  static EstimateSection of(PerformanceEstimates estimates) {
    if (estimates.equals(PerformanceEstimates.NOT_LOOKED_UP)) {
      return null;
    }
    List<Model> models = estimates.models().stream().map(e -> new Model(String.format(
        "model %s, estimate run %s at %s, probabilities %s", e.modelId(), e.runId(),
        e.estimatedAt(), e.calibrated() ? "calibrated (isotonic) first" : "used as they are"),
        e.metrics().stream().map(EstimateSection::row).toList())).toList();
    return new EstimateSection(estimates.note(), models);
  }

  private static Row row(PerformanceEstimates.Metric m) {
    Boolean in = m.realizedInBand();
    return new Row(m.metric(), Numbers.number(m.estimate()),
        m.lower() == null ? Numbers.NONE
            : "[" + Numbers.number(m.lower()) + ", " + Numbers.number(m.upper()) + "]",
        // A figure without a band (a row count, the calibration check) has no realized value.
        m.lower() == null ? Numbers.NONE : m.realized() == null ? "not yet (labels not landed)"
            : Numbers.number(m.realized()),
        in == null ? "" : in ? "ok" : "bad", in == null ? Numbers.NONE : in ? "yes" : "no");
  }
}
