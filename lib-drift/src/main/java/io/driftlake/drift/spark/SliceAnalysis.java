package io.driftlake.drift.spark;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.Slices;
import io.driftlake.drift.compare.SliceRanking;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Drift per slice: each slice's reference profiles against its current profiles with the same
 * methods and thresholds as the whole data, from the profiles (KS and Wasserstein as histogram
 * estimates with their error bounds, as in approximate mode, whatever the mode), a verdict whose
 * interval straddles its threshold settled exactly from the slice's rows when they are at hand
 * and the mode reads data; then the slices ranked ({@link SliceRanking}).
 */
public final class SliceAnalysis {
  private final DriftSettings settings;
  private final DriftAnalysis analysis;

  public SliceAnalysis(DriftSettings settings) {
    this.settings = settings;
    this.analysis = new DriftAnalysis(settings);
  }

  /**
   * The ranked slices of a run. {@code refRows} and {@code curRows} are the selections' rows
   * (empty when gone); the whole current row count is the ranking's denominator.
   */
  public Slices compare(SlicedProfiles ref, SlicedProfiles cur, List<FeatureSpec> features,
                        Optional<Dataset<Row>> refRows, Optional<Dataset<Row>> curRows,
                        long currentRows) {
    Set<String> names = new LinkedHashSet<>(ref.slices().keySet());
    names.addAll(cur.slices().keySet());
    boolean readsData = settings.statisticsMode() != DriftSettings.StatisticsMode.PROFILES
        && refRows.isPresent() && curRows.isPresent();
    List<SliceRanking.Compared> compared = new ArrayList<>();
    for (String name : names) {
      SliceSpec spec = ref.specs().getOrDefault(name, cur.specs().get(name));
      Map<String, FeatureProfile> r = ref.slices().getOrDefault(name, empty(ref, features));
      Map<String, FeatureProfile> c = cur.slices().getOrDefault(name, empty(cur, features));
      DriftReport report = analysis.compare(r, c, features);
      if (readsData) {
        report = analysis.refineUndecided(report, r, c, features,
            refRows.get().filter(spec.condition(refRows.get(), name)),
            curRows.get().filter(spec.condition(curRows.get(), name)));
      }
      compared.add(new SliceRanking.Compared(name, spec.spec(), report));
    }
    return SliceRanking.rank(compared, currentRows, ref.skipped());
  }

  /** Empty profiles of every feature: a slice a side has no row of. */
  private static Map<String, FeatureProfile> empty(SlicedProfiles side,
                                                   List<FeatureSpec> features) {
    Map<String, FeatureProfile> out = new java.util.LinkedHashMap<>();
    for (FeatureSpec f : features) {
      FeatureProfile p = side.whole().get(f.name());
      out.put(f.name(), p instanceof io.driftlake.drift.profile.NumericProfile
          ? io.driftlake.drift.profile.NumericProfile.empty(f.name())
          : io.driftlake.drift.profile.CategoricalProfile.empty(f.name()));
    }
    return out;
  }
}
