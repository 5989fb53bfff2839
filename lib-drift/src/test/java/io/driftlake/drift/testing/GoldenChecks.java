package io.driftlake.drift.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import java.util.List;

/**
 * The comparisons of a feature's results with a golden case of the {@code numeric_edge} and
 * {@code numeric_formula} sections, shared by the in-memory and the Spark tests so both hold the
 * code to the same tolerances (those of the stat and Spark golden tests).
 */
public final class GoldenChecks {
  private GoldenChecks() {}

  /**
   * D as scipy's within 1e-12; the p-value as scipy's, within max(1e-12, 1e-9·p) for the exact
   * recursion and max(1e-9, 1e-3·p) for the asymptotic one (Pelz–Good vs scipy's kstwo).
   */
  public static void ks(MethodResult ks, JsonNode expected, String what) {
    assertThat(ks.note()).as(what + ": ks note").isNull();
    assertThat(ks.score()).as(what + ": D")
        .isCloseTo(expected.get("statistic").asDouble(), within(1e-12));
    double p = expected.get("pvalue").asDouble();
    boolean exact = expected.get("method").asText().equals("exact");
    assertThat(ks.conventions()).as(what).containsEntry("p_value", exact ? "exact" : "asymptotic")
        .containsEntry("mode", "exact");
    assertThat(ks.pValue()).as(what + ": p-value")
        .isCloseTo(p, within(exact ? Math.max(1e-12, p * 1e-9) : Math.max(1e-9, p * 1e-3)));
  }

  /**
   * Numeric PSI and JS from the raw values as the script's numpy computation of the pinned
   * convention (edges np.quantile(reference, i/10) with method 'linear', non-finite ones
   * dropped, np.unique; open outer bins; closed left or right as the golden field; PSI floor
   * 1e-4, JS base 2): the edges bit for bit, the same number of bins, and PSI and JS within
   * 1e-12 relative, with mode exact. Not computable when the golden has none (a side without
   * values).
   */
  public static void binned(MethodResult psi, MethodResult js, JsonNode expected, String what) {
    if (expected == null || expected.isNull()) {
      assertThat(psi.score()).as(what + ": psi").isNull();
      assertThat(js.score()).as(what + ": js").isNull();
      return;
    }
    for (MethodResult r : List.of(psi, js)) {
      assertThat(r.conventions()).as(what + ": " + r.method() + " bins")
          .containsEntry("bins", expected.get("bins").asText())
          .containsEntry("mode", "exact");
      assertThat(edges(r)).as(what + ": " + r.method() + " edges")
          .containsExactly(edges(expected.get("edges")));
    }
    double p = expected.get("psi").asDouble();
    assertThat(psi.score()).as(what + ": psi").isCloseTo(p, within(Math.max(1e-14, p * 1e-12)));
    double j = expected.get("js_divergence_base2").asDouble();
    assertThat(js.score()).as(what + ": js").isCloseTo(j, within(Math.max(1e-14, j * 1e-12)));
  }

  /** The edges a PSI/JS row records. */
  public static double[] edges(MethodResult r) {
    String list = r.conventions().get("edges");
    String inner = list.substring(1, list.length() - 1);
    return inner.isEmpty() ? new double[0]
        : java.util.Arrays.stream(inner.split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  public static double[] edges(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }

  /**
   * W1 over the finite values as scipy's within 1e-10 relative (reported in the conventions,
   * also when the score is not computable); the score W1 / reference std as the golden within
   * 1e-9 relative (a different but exact-enough std), or null with the rule's reason.
   */
  public static void wasserstein(MethodResult w, JsonNode expected, String what) {
    assertThat(w.pValue()).as(what).isNull();
    String reason = expected.get("not_computable").isNull() ? null
        : expected.get("not_computable").asText();
    if ("no_finite_values".equals(reason)) {
      assertThat(w.score()).as(what).isNull();
      assertThat(w.drifted()).as(what).isFalse();
      assertThat(w.note()).as(what).isEqualTo("not computable: a selection has no finite values");
      assertThat(w.conventions()).as(what).doesNotContainKey("w1");
      return;
    }
    double value = expected.get("value").asDouble();
    assertThat(w.conventions()).as(what).containsEntry("mode", "exact");
    assertThat(Double.parseDouble(w.conventions().get("w1"))).as(what + ": W1")
        .isCloseTo(value, within(Math.max(1e-12, value * 1e-10)));
    if ("reference_std_zero".equals(reason)) {
      assertThat(w.score()).as(what).isNull();
      assertThat(w.drifted()).as(what).isFalse();
      assertThat(w.note()).as(what)
          .isEqualTo("not computable: the reference standard deviation is 0.0");
      return;
    }
    if ("reference_std_overflows".equals(reason) || "score_overflows".equals(reason)) {
      assertThat(w.score()).as(what).isNull();
      assertThat(w.drifted()).as(what).isFalse();
      assertThat(w.note()).as(what).startsWith(reason.equals("score_overflows")
          ? "not computable: W1 / reference standard deviation overflows a double (W1 "
          : "not computable: the reference standard deviation overflows a double");
      assertThat(w.conventions()).as(what).doesNotContainKey("reference_std");
      return;
    }
    assertThat(reason).as(what + ": unknown not_computable reason").isNull();
    double score = expected.get("score").asDouble();
    assertThat(w.note()).as(what).isNull();
    assertThat(w.score()).as(what + ": W1 / std").isCloseTo(score, within(score * 1e-9));
    assertThat(Double.parseDouble(w.conventions().get("reference_std"))).as(what + ": std")
        .isCloseTo(expected.get("ref_std").asDouble(),
            within(expected.get("ref_std").asDouble() * 1e-9));
  }

  static MethodResult method(FeatureDrift f, String id) {
    return f.results().stream().filter(r -> r.method().equals(id)).findFirst().orElseThrow();
  }

  /**
   * A categorical feature against a {@code categorical} golden: every method over the category
   * union, with the tolerances of the stat goldens (TestPsi, TestJensenShannon, TestChiSquare).
   */
  public static void categorical(FeatureDrift f, JsonNode c, String what) {
    String bins = Integer.toString(c.get("union").size());
    for (String id : List.of("psi", "js", "chi2", "tvd", "linf")) {
      assertThat(method(f, id).note()).as(what + ": " + id).isNull();
      assertThat(method(f, id).conventions()).as(what + ": " + id)
          .containsEntry("bins", bins).containsEntry("edge_source", "category union");
    }
    assertThat(method(f, "psi").score()).as(what + ": psi")
        .isCloseTo(c.get("psi").asDouble(), within(1e-12));
    assertThat(method(f, "js").score()).as(what + ": js")
        .isCloseTo(c.get("js_divergence_base2").asDouble(), within(1e-12));
    MethodResult chi2 = method(f, "chi2");
    assertThat(chi2.score()).as(what + ": chi2")
        .isCloseTo(c.get("chi2_statistic").asDouble(), within(1e-10));
    double p = c.get("chi2_pvalue").asDouble();
    assertThat(chi2.pValue()).as(what + ": chi2 p").isCloseTo(p, within(Math.max(1e-14, p * 1e-9)));
    assertThat(chi2.conventions()).as(what).containsEntry("dof", c.get("chi2_dof").asText());
    assertThat(method(f, "tvd").score()).as(what + ": tvd")
        .isCloseTo(c.get("tvd").asDouble(), within(1e-14));
    assertThat(method(f, "linf").score()).as(what + ": linf")
        .isCloseTo(c.get("linf").asDouble(), within(1e-14));
  }

  /**
   * No NaN or ∞ reaches an output: every score, p-value and threshold is finite or null, and the
   * numbers the conventions report for W1 and KS are finite.
   */
  public static void nothingNonFinite(FeatureDrift feature, String what) {
    for (MethodResult r : feature.results()) {
      for (Double x : new Double[] {r.score(), r.pValue(), r.threshold()}) {
        if (x != null) {
          assertThat(Double.isFinite(x)).as(what + ": " + r.method() + " " + x).isTrue();
        }
      }
      for (String key : List.of("w1", "reference_std", "js_distance", "error_bound",
          "w1_error_bound")) {
        String v = r.conventions().get(key);
        if (v != null) {
          assertThat(Double.isFinite(Double.parseDouble(v))).as(what + ": " + key + " " + v)
              .isTrue();
        }
      }
      if (r.score() == null) {
        assertThat(r.note()).as(what + ": " + r.method() + " has no score and no reason")
            .startsWith("not computable: ");
      }
    }
    assertThat(Double.isFinite(feature.referenceNullShare())).as(what).isTrue();
    assertThat(Double.isFinite(feature.currentNullShare())).as(what).isTrue();
  }
}
