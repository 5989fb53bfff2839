package io.driftlake.drift;

import io.driftlake.drift.api.Slices;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.config.SliceSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.spark.SliceAnalysis;
import io.driftlake.drift.spark.SliceProfiler;
import io.driftlake.drift.spark.SliceSpec;
import io.driftlake.drift.spark.SliceSpecs;
import io.driftlake.drift.spark.SlicedProfiles;
import io.driftlake.drift.store.MissingFiles;
import io.driftlake.drift.store.SelectionData;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The slice part of a {@link Drift} run ({@code driftlake.drift.slices}): the specs checked
 * against both sides' columns, both sides' slices profiled in one Spark job (with the whole
 * data's profiles, in the same scan), compared and ranked. Slices that cannot be compared (mode
 * {@code profiles} reads no data row, or a data file is gone) are listed as skipped with the
 * reason, never dropped.
 */
final class SliceRun {
  private final DriftSettings settings;
  private final List<FeatureSpec> features;
  private final SelectionData reference;
  private final SelectionData current;
  private List<SliceSpec> specs;
  private List<SlicedProfiles> profiled;

  SliceRun(DriftSettings settings, List<FeatureSpec> features, SelectionData reference,
           SelectionData current) {
    this.settings = settings;
    this.features = features;
    this.reference = reference;
    this.current = current;
  }

  /** Whether slices are configured and can be profiled (both sides' rows, a mode that reads). */
  boolean active() {
    return !settings.slices().isEmpty() && skipReason().isEmpty();
  }

  private Optional<String> skipReason() {
    if (settings.statisticsMode() == DriftSettings.StatisticsMode.PROFILES) {
      return Optional.of(SliceSettings.SKIPPED_IN_PROFILES_MODE);
    }
    return reference.gone().or(current::gone).map(gone -> "a data file is gone (" + gone
        + "): slices need a scan of both sides");
  }

  /**
   * Both sides' whole-data and slice profiles, from one Spark job; fails with a message naming
   * {@code driftlake.drift.slices} when a spec is no column or predicate over both sides.
   */
  List<SlicedProfiles> profile() {
    if (profiled == null) {
      Dataset<Row> ref = reference.rows().orElseThrow();
      Dataset<Row> cur = current.rows().orElseThrow();
      specs = SliceSpecs.resolve(settings.slices(), ref, cur);
      var context = ref.sparkSession().sparkContext();
      context.setJobDescription("driftlake: profile reference and current, with slices");
      profiled = SliceProfiler.profileAll(List.of(ref, cur), features, settings.profile(),
          specs, settings.slices().maxValues());
      context.setJobDescription(null);
    }
    return profiled;
  }

  /** The ranked slices, or every spec skipped with the reason. */
  Slices compare(long currentRows) {
    if (settings.slices().isEmpty()) {
      return Slices.none();
    }
    Optional<String> reason = skipReason();
    if (reason.isEmpty()) {
      try {
        List<SlicedProfiles> sides = profile();
        return new SliceAnalysis(settings).compare(sides.get(0), sides.get(1), features,
            reference.rows(), current.rows(), currentRows);
      } catch (RuntimeException e) {
        reason = MissingFiles.of(e).map(gone -> "a data file is gone (" + gone
            + "): slices need a scan of both sides");
        if (reason.isEmpty()) {
          throw e;
        }
      }
    }
    return Slices.skipped(settings.slices().specs(), reason.get());
  }
}
