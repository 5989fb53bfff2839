package io.driftlake.drift.spark.multivariate;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.MultivariateDrift;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.config.MultivariateSettings;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.store.MissingFiles;
import io.driftlake.drift.store.SelectionData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Multivariate drift between two sides' rows: the {@link DomainClassifier} and the
 * {@link PcaReconstruction}, both on one seeded {@link Sample} of each side, over the features
 * the per-feature comparison scored. Timestamps and dates are left out (a later batch is later:
 * the classifier would tell the sides apart by time alone); categorical features go to the
 * classifier only (PCA needs numbers), those with more than {@code max-categories} distinct
 * values in the sample to neither. Deterministic given the seed and the sides' rows and
 * partitioning.
 */
public final class MultivariateAnalysis {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(MultivariateAnalysis.class);
  /** Fewer sampled rows than this in a side's fold or chunk give no answer. */
  static final int MIN_ROWS_PER_PART = 5;

  /** Why mode profiles gives no multivariate drift. */
  public static final String PROFILES_MODE = "mode profiles reads no data row, and the domain "
      + "classifier and PCA learn from rows (run in exact or approximate mode)";

  private MultivariateAnalysis() {}

  /**
   * The multivariate drift of a drift run's comparison {@code report} in {@code mode}: off when
   * {@code settings} do not ask for it; unknown, with the reason, when no row may or can be read
   * (mode profiles, a data file gone, the comparison not computable, a sample too small).
   */
  public static MultivariateDrift of(MultivariateSettings settings, DriftReport report,
                                     DriftSettings.StatisticsMode mode, SelectionData reference,
                                     SelectionData current) {
    if (!settings.enabled()) {
      return MultivariateDrift.off();
    }
    Optional<String> why = notComputable(report, mode, reference, current);
    if (why.isEmpty()) {
      try {
        return run(reference.rows().orElseThrow(), current.rows().orElseThrow(),
            report.referenceRows(), report.currentRows(), report.features(), settings);
      } catch (Exception e) { // Spark's SparkException is checked, but thrown from Scala
        why = MissingFiles.of(e).map(f -> "a data file is gone (" + f + "); the domain "
            + "classifier and PCA learn from rows");
        if (why.isEmpty()) {
          throw e;
        }
      }
    }
    LOG.warn("Multivariate drift not computable: {}", why.get());
    return MultivariateDrift.unknown(why.get(), settings.aucThreshold());
  }

  /** Why multivariate drift cannot be computed for a comparison, if it cannot. */
  private static Optional<String> notComputable(DriftReport report,
                                                DriftSettings.StatisticsMode mode,
                                                SelectionData reference, SelectionData current) {
    if (mode == DriftSettings.StatisticsMode.PROFILES) {
      return Optional.of(PROFILES_MODE);
    }
    Optional<String> gone = reference.gone().or(current::gone);
    if (gone.isPresent()) {
      return Optional.of("a data file is gone (" + gone.get() + "); the domain classifier and "
          + "PCA learn from rows");
    }
    if (report.status() == RunStatus.NOT_COMPUTABLE) {
      return Optional.of("the comparison is not computable: " + report.reason());
    }
    return Optional.empty();
  }

  /**
   * Both methods on {@code reference} ({@code referenceRows} rows) and {@code current}, over the
   * scored {@code features} (their per-feature results, which name and type them).
   */
  public static MultivariateDrift run(Dataset<Row> reference, Dataset<Row> current,
                                      long referenceRows, long currentRows,
                                      List<FeatureDrift> features,
                                      MultivariateSettings settings) {
    List<String> numeric = new ArrayList<>();
    List<String> categorical = new ArrayList<>();
    List<SkippedColumn> skipped = new ArrayList<>();
    // In the reference's column order, not the report's (most severe first).
    List<String> order = List.of(reference.schema().fieldNames());
    List<FeatureDrift> ordered = features.stream()
        .sorted(java.util.Comparator.comparingInt(f -> order.indexOf(f.feature()))).toList();
    for (FeatureDrift f : ordered) {
      DataType type = reference.schema().apply(f.feature()).dataType();
      if (type instanceof TimestampType || type instanceof TimestampNTZType
          || type instanceof DateType) {
        skipped.add(new SkippedColumn(f.feature(), f.type().id(), "multivariate: a "
            + type.simpleString() + " is left out (a later batch is later; the classifier would "
            + "tell the sides apart by time alone)"));
      } else if (f.type() == FeatureType.NUMERIC) {
        numeric.add(f.feature());
      } else {
        categorical.add(f.feature());
      }
    }
    Sample sample = Sample.of(reference, current, referenceRows, currentRows, numeric,
        categorical, settings);
    try {
      List<String> kept = new ArrayList<>();
      for (Map.Entry<String, Long> e : sample.distinct.entrySet()) {
        if (e.getValue() > settings.maxCategories()) {
          skipped.add(new SkippedColumn(e.getKey(), FeatureType.CATEGORICAL.id(), String.format(
              "multivariate: %d distinct values in the sample, more than max-categories %d",
              e.getValue(), settings.maxCategories())));
        } else {
          kept.add(e.getKey());
          skipped.add(new SkippedColumn(e.getKey(), FeatureType.CATEGORICAL.id(),
              "pca_reconstruction: categorical (PCA needs numbers); the classifier uses it"));
        }
      }
      String tooFew = tooFew(sample, settings);
      List<MethodResult> results = new ArrayList<>();
      List<MultivariateDrift.Importance> top = List.of();
      if (tooFew != null || numeric.size() + kept.size() == 0) {
        results.add(unknown(tooFew != null ? tooFew : "no feature the classifier can use",
            settings).get(0));
      } else {
        DomainClassifier.Fit fit = DomainClassifier.fit(sample, kept, settings);
        results.add(fit.result());
        top = fit.top();
      }
      if (tooFew == null && numeric.size() >= 2) {
        results.add(PcaReconstruction.fit(sample, settings));
      } else {
        results.add(unknown(tooFew != null ? tooFew : String.format(
            "PCA needs at least two numeric features, this run has %d %s", numeric.size(),
            numeric), settings).get(1));
      }
      return new MultivariateDrift(true, results, top, skipped);
    } finally {
      sample.release();
    }
  }

  private static List<MethodResult> unknown(String reason, MultivariateSettings settings) {
    return MultivariateDrift.unknown(reason, settings.aucThreshold()).results();
  }

  /** Why the sample is too small to answer, or null. */
  private static String tooFew(Sample sample, MultivariateSettings settings) {
    for (int side = 0; side < 2; side++) {
      long least = java.util.Arrays.stream(sample.folds[side]).min().orElse(0);
      if (least < MIN_ROWS_PER_PART
          || sample.sides[side] < (long) MIN_ROWS_PER_PART * settings.chunks()) {
        return String.format("the %s sample has %d rows (fewest in a fold %d): at least %d per "
            + "fold and %d in all are needed", side == 0 ? "reference" : "current",
            sample.sides[side], least, MIN_ROWS_PER_PART,
            (long) MIN_ROWS_PER_PART * settings.chunks());
      }
    }
    return null;
  }
}
