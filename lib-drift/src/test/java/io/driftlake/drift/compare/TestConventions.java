package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FineHistogram;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.stat.Estimate;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Every result row says what was computed: bins, edge source, smoothing, log base and mode. */
class TestConventions {
  private static final FeatureComparator COMPARATOR = new FeatureComparator(
      DriftSettings.from(ConfigFactory.defaultReference()));

  private static NumericProfile numeric(int from, int to) {
    FineHistogram h = new FineHistogram();
    for (int i = from; i < to; i++) {
      h.add(i);
    }
    return new NumericProfile("x", to - from, 0, 0, h.toBins());
  }

  private static CategoricalProfile categorical(long a, long b) {
    TreeMap<String, Long> counts = new TreeMap<>();
    counts.put("a", a);
    counts.put("b", b);
    return new CategoricalProfile("c", a + b, 0, counts);
  }

  private static MethodResult result(FeatureDrift drift, String method) {
    return drift.results().stream().filter(r -> r.method().equals(method)).findFirst()
        .orElseThrow();
  }

  @Test
  void numericRowsRecordTheirConventions() {
    FeatureDrift drift = COMPARATOR.compare(numeric(0, 1000), numeric(100, 1100),
        new FeatureComparator.Statistics(Estimate.exact(0.1), Estimate.between(0.2, 0.3, 1)));
    for (MethodResult r : drift.results()) {
      assertThat(r.conventions()).as(r.method()).containsKeys("bins", "edge_source", "smoothing",
          "log_base", "mode", "threshold_source");
    }
    MethodResult psi = result(drift, "psi");
    assertThat(psi.conventions()).containsEntry("bins", "10")
        .containsEntry("edge_source", "reference quantiles np.quantile(reference, [1/10, ..., "
            + "9/10]) (method 'linear'), duplicates and non-finite ones dropped, open outer bins")
        .containsEntry("closed", "left: [e_i, e_i+1), a value equal to an edge in the upper bin "
            + "(numpy searchsorted side='right', np.histogram)")
        .containsEntry("smoothing", "proportions floored at 1.0E-4").containsEntry("log_base", "e")
        .containsEntry("mode", "exact").containsEntry("threshold_source", "default");
    // np.quantile(np.arange(1000.0), np.arange(1, 10) / 10): integers settle every edge and
    // count from the profiles; numpy's PSI of 0..999 vs 100..1099 is 0.7593994704263101.
    assertThat(psi.conventions()).containsEntry("edges",
        "[99.9,199.8,299.7,399.6,499.5,599.4,699.3,799.2,899.1]");
    assertThat(psi.score()).isCloseTo(0.7593994704263101, within(1e-12));
    MethodResult js = result(drift, "js");
    assertThat(js.conventions()).containsEntry("log_base", "2").containsEntry("smoothing", "none")
        .containsEntry("edges", psi.conventions().get("edges"));
    assertThat(Double.parseDouble(js.conventions().get("js_distance")))
        .isCloseTo(Math.sqrt(js.score()), within(1e-15));
    MethodResult ks = result(drift, "ks");
    assertThat(ks.conventions()).containsEntry("mode", "exact")
        .containsEntry("bins", "none (empirical distribution functions)")
        .containsEntry("edge_source", "none").containsEntry("alternative", "two-sided");
    MethodResult w1 = result(drift, "wasserstein");
    assertThat(w1.conventions()).containsEntry("mode", "approximate")
        .containsEntry("normalisation", "W1 / reference standard deviation (ddof 0)");
    assertThat(w1.conventions()).containsKey("error_bound");
  }

  @Test
  void approximateKsStatesTheRangeOfItsPValue() {
    // D of 0..999 vs 100..1099 is exactly 0.1; an estimate 0.1 ± 0.02 keeps it inside.
    FeatureDrift drift = COMPARATOR.compare(numeric(0, 1000), numeric(100, 1100),
        new FeatureComparator.Statistics(new Estimate(0.11, 0.02, false), null));
    MethodResult ks = result(drift, "ks");
    assertThat(ks.conventions()).containsEntry("mode", "approximate");
    double lower = Double.parseDouble(ks.conventions().get("p_value_lower"));
    double upper = Double.parseDouble(ks.conventions().get("p_value_upper"));
    // scipy 1.17.1 ks_2samp(a, a + s) for a = 0..999 (method='auto': exact at these sizes):
    // s = 130 gives D = 0.13, s = 90 gives D = 0.09.
    assertThat(lower).isCloseTo(8.797089063129894e-08, within(8.8e-8 * 1e-6));
    assertThat(upper).isCloseTo(0.0006029005665324465, within(6.0e-4 * 1e-6));
    double exactP = io.driftlake.drift.stat.KolmogorovSmirnov.test(0.1, 1000, 1000).pValue();
    assertThat(exactP).isBetween(lower, upper);
    assertThat(ks.pValue()).isBetween(lower, upper);
  }

  @Test
  void categoricalAndNotComputableRowsRecordTheirConventions() {
    FeatureDrift drift = COMPARATOR.compare(categorical(60, 40), categorical(50, 50),
        FeatureComparator.Statistics.none());
    MethodResult chi2 = result(drift, "chi2");
    assertThat(chi2.conventions()).containsEntry("bins", "2")
        .containsEntry("edge_source", "category union").containsEntry("correction", "none")
        .containsEntry("smoothing", "none").containsEntry("log_base", "none")
        .containsEntry("mode", "exact");
    assertThat(result(drift, "tvd").conventions()).containsEntry("edge_source", "category union");

    FeatureDrift empty = COMPARATOR.compare(categorical(60, 40), categorical(0, 0),
        FeatureComparator.Statistics.none());
    for (MethodResult r : empty.results()) {
      assertThat(r.computable()).isFalse();
      assertThat(r.conventions()).as(r.method()).containsEntry("bins", "not computed")
          .containsEntry("mode", "not computed").containsEntry("threshold_source", "default");
    }
  }
}
