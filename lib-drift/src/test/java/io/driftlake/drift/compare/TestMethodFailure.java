package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.stat.Estimate;
import io.driftlake.drift.testing.TinySides;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * One method failing on one feature is that method's "not computable" there, naming the method,
 * the feature and the failure: the other methods and features are still scored, and the run is
 * incomplete (exit 3), never a crash.
 */
class TestMethodFailure {
  private static final FeatureComparator COMPARATOR = new FeatureComparator(
      DriftSettings.from(TinySides.reference()));

  private static NumericProfile profile(String feature, int from, int to) {
    TreeMap<Long, NumericProfile.Bin> bins = new TreeMap<>();
    for (int i = from; i < to; i++) {
      bins.merge(FineBins.key(i), new NumericProfile.Bin(1, i, i, i, (double) i * i),
          NumericProfile.Bin::merge);
    }
    return new NumericProfile(feature, to - from, 0, 0, bins);
  }

  /** A corrupt stored profile: a negative count in its lowest bin (total still positive). */
  private static NumericProfile corrupt(String feature) {
    TreeMap<Long, NumericProfile.Bin> bins = new TreeMap<>();
    bins.put(FineBins.key(-1e9), new NumericProfile.Bin(-3, -1e9, -1e9, 3e9, 3e18));
    bins.put(FineBins.key(500.0), new NumericProfile.Bin(10, 500, 500, 5000, 2.5e6));
    return new NumericProfile(feature, 7, 0, 0, bins);
  }

  private static MethodResult method(FeatureDrift f, String id) {
    return f.results().stream().filter(r -> r.method().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void aThrowingMethodIsNotComputableForThatFeatureAndTheRunIsIncomplete() {
    FeatureDrift good = COMPARATOR.compare(profile("good", 0, 1000), profile("good", 0, 1000),
        new FeatureComparator.Statistics(Estimate.exact(0), Estimate.exact(0)));
    FeatureDrift bad = COMPARATOR.compare(profile("bad", 0, 1000), corrupt("bad"),
        new FeatureComparator.Statistics(Estimate.exact(0.5), Estimate.exact(1)));

    MethodResult psi = method(bad, "psi");
    assertThat(psi.computable()).isFalse();
    assertThat(psi.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(psi.note()).isEqualTo(
        "not computable: psi failed on feature 'bad': Negative count in current histogram: -3");
    assertThat(psi.conventions()).containsEntry("threshold_source", "default")
        .containsEntry("mode", "not computed");
    assertThat(method(bad, "js").note()).isEqualTo(
        "not computable: js failed on feature 'bad': Negative count in current histogram: -3");
    // PSI decides numeric features by default: the feature is unknown, never "no drift".
    assertThat(bad.verdict()).isEqualTo(Verdict.UNKNOWN);
    // KS needs only the statistic and the sizes: still scored on the same feature.
    assertThat(method(bad, "ks").computable()).isTrue();

    assertThat(good.verdict()).isEqualTo(Verdict.NOT_DRIFTED);
    assertThat(method(good, "psi").score()).isEqualTo(0.0);

    DriftReport report = COMPARATOR.decide(1000, 7, List.of(good, bad));
    assertThat(report.features()).extracting(FeatureDrift::feature)
        .containsExactlyInAnyOrder("good", "bad");
    assertThat(report.status()).isEqualTo(RunStatus.INCOMPLETE);
    assertThat(report.status().exitCode()).isEqualTo(3);
    assertThat(report.reason()).isEqualTo("0 of 2 features drifted (0%) < 25%; 1 of 2 features "
        + "unknown (their deciding method could not decide): bad (psi: not computable: psi "
        + "failed on feature 'bad': Negative count in current histogram: -3)");
  }

  /** The same through a comparison of stored profiles (approximate KS and W1): no crash. */
  @Test
  void aCorruptStoredProfileLeavesTheRunIncompleteNotCrashed() {
    List<FeatureSpec> features = List.of(new FeatureSpec("good", FeatureType.NUMERIC),
        new FeatureSpec("bad", FeatureType.NUMERIC));
    DriftReport report = new DriftAnalysis(DriftSettings.from(TinySides.reference()))
        .compare(Map.of("good", profile("good", 0, 1000), "bad", profile("bad", 0, 1000)),
            Map.of("good", profile("good", 0, 1000), "bad", corrupt("bad")), features);
    assertThat(report.status()).isEqualTo(RunStatus.INCOMPLETE);
    FeatureDrift good = report.features().stream().filter(f -> f.feature().equals("good"))
        .findFirst().orElseThrow();
    assertThat(good.verdict()).isEqualTo(Verdict.NOT_DRIFTED);
    FeatureDrift bad = report.features().stream().filter(f -> f.feature().equals("bad"))
        .findFirst().orElseThrow();
    assertThat(bad.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(method(bad, "psi").note()).isEqualTo(
        "not computable: psi failed on feature 'bad': Negative count in current histogram: -3");
    // The histogram estimates of KS and W1 still come out of the corrupt profile.
    assertThat(method(bad, "ks").computable()).isTrue();
  }
}
