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

  static Stream<JsonNode> goldenGrid() {
    return Golden.cases("ks_pvalue_grid").stream();
  }

  /**
   * kstwo.sf over d × n·m/(n+m) = 10² … 10¹⁰ (through test() from 10⁴ on, n = m = 2·10⁴),
   * every region of scipy's algorithm: within 10⁻¹⁰ absolute everywhere, and 10⁻⁸ relative
   * where p is below 10⁻⁶ (the upper tail, where the p-value's digits matter: smirnov's Simpson
   * sum above n = 20 000), down to p = 10⁻³⁰⁰ (below it, in the subnormal range, within 10⁻³⁰⁰
   * absolute: both are 0 to any purpose).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenGrid")
  void pValuesMatchScipyKstwoOnTheGrid(JsonNode c) {
    double d = c.get("statistic").asDouble();
    double expected = c.get("pvalue").asDouble();
    long n = c.get("n").asLong();
    // Below 10 001 rows a side, test() gives the exact two-sample p-value (as scipy's 'auto').
    double p = n > KolmogorovSmirnov.EXACT_MAX_N
        ? KolmogorovSmirnov.test(d, n, c.get("m").asLong()).pValue()
        : KolmogorovSmirnov.kolmogorovSf(c.get("en_rounded").asDouble(), d);
    assertThat(p).isBetween(0.0, 1.0);
    double tolerance = expected < 1e-6 ? Math.max(expected * 1e-8, 1e-300) : 1e-10;
    assertThat(p).as("%s", c.get("name")).isCloseTo(expected, within(tolerance));
  }

  /**
   * The case: 200 000 rows, then 3 appended again, at 10× the size: Commons Math's
   * Pelz–Good threw TooManyIterationsException for d = 1e-6 and 1e-5 and gave NaN for 5e-5;
   * scipy's kstwo.sf(d, 1014926) is 1.0 for all three.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(doubles = {1e-6, 1e-5, 5e-5})
  void nearIdenticalLargeSamplesHavePValueOne(double d) {
    KolmogorovSmirnov.Result result = KolmogorovSmirnov.test(d, 2_020_000, 2_040_000);
    assertThat(result.mode()).isEqualTo(KolmogorovSmirnov.PValueMode.ASYMPTOTIC);
    assertThat(result.pValue()).isCloseTo(1.0, within(1e-10));
  }

  @Test
  void pValuesStayValidBeyondIntSampleSizes() {
    long n = 5_000_000_000L;
    long m = 5_000_000_000L;
    // t = D·sqrt(nm/(n+m)) = 1.0: scipy.stats.kstwo.sf(2e-05, 2500000000) = 0.2699960985398506,
    // 3.6e-6 below the limiting Kolmogorov survival 0.26999967167735456 (the finite-n term).
    double d = 1.0 / Math.sqrt((double) n * m / (n + m));
    KolmogorovSmirnov.Result result = KolmogorovSmirnov.test(d, n, m);
    assertThat(result.mode()).isEqualTo(KolmogorovSmirnov.PValueMode.ASYMPTOTIC);
    assertThat(result.pValue()).isCloseTo(0.2699960985398506, within(1e-10));
  }
}
