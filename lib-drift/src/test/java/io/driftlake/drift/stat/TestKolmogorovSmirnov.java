package io.driftlake.drift.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.driftlake.drift.testing.Golden;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TestKolmogorovSmirnov {
  static Stream<JsonNode> golden() {
    return Golden.cases("ks").stream();
  }

  /** Counts per distinct value, both sides aligned: the form the profiles produce. */
  static long[][] counted(double[] ref, double[] cur) {
    TreeMap<Double, long[]> values = new TreeMap<>();
    for (double v : ref) {
      values.computeIfAbsent(v, x -> new long[2])[0]++;
    }
    for (double v : cur) {
      values.computeIfAbsent(v, x -> new long[2])[1]++;
    }
    long[][] out = new long[2][values.size()];
    int i = 0;
    for (Map.Entry<Double, long[]> e : values.entrySet()) {
      out[0][i] = e.getValue()[0];
      out[1][i++] = e.getValue()[1];
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("golden")
  void statisticAndPValueMatchScipy(JsonNode c) {
    double[] ref = Golden.doubles(c.get("ref"));
    double[] cur = Golden.doubles(c.get("cur"));
    long[][] counts = counted(ref, cur);
    double d = KolmogorovSmirnov.statistic(counts[0], counts[1]);
    assertThat(d).isCloseTo(c.get("statistic").asDouble(), within(1e-12));

    KolmogorovSmirnov.Result result = KolmogorovSmirnov.test(d, ref.length, cur.length);
    assertThat(result.mode().name().toLowerCase().substring(0, 5))
        .isEqualTo(c.get("method").asText().substring(0, 5));
    double expected = c.get("pvalue").asDouble();
    if (result.mode() == KolmogorovSmirnov.PValueMode.EXACT) {
      // 1 - P(D < d) loses digits below ~1e-12; above that the recursion is exact.
      assertThat(result.pValue()).isCloseTo(expected, within(Math.max(1e-12, expected * 1e-9)));
    } else {
      // Pelz–Good (Commons Math) vs scipy's kstwo: same distribution, different numerics.
      assertThat(result.pValue()).isCloseTo(expected, within(Math.max(1e-9, expected * 1e-3)));
    }
  }

  static Stream<JsonNode> goldenPValues() {
    return Golden.cases("ks_pvalue").stream();
  }

  /**
   * In the upper tail (n·d² ≥ 2.2, or d ≥ ½) the p-value is scipy's 2·smirnov, down to
   * 10⁻²⁶¹ where 1 − cdf would give 0; below it 1 − cdf by Pelz–Good against scipy's own
   * approximations of the same distribution.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenPValues")
  void asymptoticPValuesMatchScipyIncludingTheFarTail(JsonNode c) {
    double d = c.get("statistic").asDouble();
    double expected = c.get("pvalue").asDouble();
    KolmogorovSmirnov.Result result = KolmogorovSmirnov.test(d, c.get("n").asLong(),
        c.get("m").asLong());
    assertThat(result.mode()).isEqualTo(KolmogorovSmirnov.PValueMode.ASYMPTOTIC);
    double en = c.get("en_rounded").asDouble();
    if (d >= 0.5 || (en > 140 && en * d * d >= 2.2)) {
      assertThat(expected).isPositive();
      assertThat(result.pValue()).isCloseTo(expected, within(expected * 1e-9));
    } else {
      assertThat(result.pValue()).isCloseTo(expected, within(expected * 1e-3));
    }
  }

  @Test
  void pValuesStayValidBeyondIntSampleSizes() {
    long n = 5_000_000_000L;
    long m = 5_000_000_000L;
    // t = D·sqrt(nm/(n+m)) = 1.0 → limiting Kolmogorov survival 0.26999967167735456 (tabulated)
    double d = 1.0 / Math.sqrt((double) n * m / (n + m));
    KolmogorovSmirnov.Result result = KolmogorovSmirnov.test(d, n, m);
    assertThat(result.mode()).isEqualTo(KolmogorovSmirnov.PValueMode.ASYMPTOTIC);
    assertThat(result.pValue()).isCloseTo(0.26999967167735456, within(1e-6));
  }
}
