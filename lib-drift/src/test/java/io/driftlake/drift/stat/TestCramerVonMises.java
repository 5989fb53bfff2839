package io.driftlake.drift.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden values from scipy 1.17.1 ({@code /work/main/.venv-bench}), computed offline with
 * <pre>
 * from scipy.stats import cramervonmises_2samp
 * r = cramervonmises_2samp(x, y, method='asymptotic'); print(repr(r.statistic), repr(r.pvalue))
 * </pre>
 * on the samples each case builds below, in Python:
 * <pre>
 * identical:      x = y = [(i*7919 % 1000)/100.0 for i in range(200)]
 * ties:           x = [float(i % 5) for i in range(300)]; y = [float((i*3) % 7) for i in range(250)]
 * unequalShifted: x = [(i*7919 % 1000)/100.0 for i in range(120)]
 *                 y = [(i*104729 % 997)/100.0 + 0.5 for i in range(45)]
 * small:          x = [1.0, 2.0, 3.0]; y = [2.0, 4.0, 6.0, 8.0]
 * infinities:     x = [-inf, 0.0, 1.5, 1.5, inf, 2.0] + [float(i) for i in range(40)]
 *                 y = [inf, inf, 0.5, -0.0] + [i/2 for i in range(30)]
 * disjoint:       x = [float(i) for i in range(100)]; y = [float(200+i) for i in range(100)]
 * scaled:         x = [(i*7919 % 10007)/10.0 for i in range(3000)]
 *                 y = [((i*7919 % 10007)/10.0)*1.05 for i in range(2000)]
 * </pre>
 */
public class TestCramerVonMises {
  /** One golden case: the two samples and scipy's T and p-value. */
  public record Case(String name, double[] x, double[] y, double statistic, double pValue) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static double[] of(int n, IntToDoubleFunction f) {
    return IntStream.range(0, n).mapToDouble(f).toArray();
  }

  private static double[] concat(double[] a, double[] b) {
    return java.util.stream.DoubleStream.concat(java.util.Arrays.stream(a),
        java.util.Arrays.stream(b)).toArray();
  }

  public static Stream<Case> golden() {
    double inf = Double.POSITIVE_INFINITY;
    double[] same = of(200, i -> (i * 7919 % 1000) / 100.0);
    return Stream.of(
        new Case("identical", same, same, 0.0, 1.0),
        new Case("ties", of(300, i -> i % 5), of(250, i -> (i * 3) % 7),
            3.9942121212121293, 7.118363676283934e-10),
        new Case("unequalShifted", of(120, i -> (i * 7919 % 1000) / 100.0),
            of(45, i -> (i * 104729 % 997) / 100.0 + 0.5), 0.039701178451178265,
            0.9432335982113823),
        new Case("small", new double[] {1, 2, 3}, new double[] {2, 4, 6, 8},
            0.31845238095238093, 0.127365602469391),
        new Case("infinities", concat(new double[] {-inf, 0.0, 1.5, 1.5, inf, 2.0},
            of(40, i -> i)), concat(new double[] {inf, inf, 0.5, -0.0}, of(30, i -> i / 2.0)),
            1.306673593350384, 0.00046391346938812195),
        new Case("disjoint", of(100, i -> i), of(100, i -> 200 + i), 16.667499999999997,
            6.013629594292524e-10),
        new Case("scaled", of(3000, i -> (i * 7919 % 10007) / 10.0),
            of(2000, i -> ((i * 7919 % 10007) / 10.0) * 1.05), 0.9312554833334161,
            0.003568638326876594));
  }

  /** Distinct values (−0.0 and 0.0 tie, as in scipy's ranks) with each side's count. */
  static long[][] pooled(double[] x, double[] y) {
    return TestKolmogorovSmirnov.counted(zeroed(x), zeroed(y));
  }

  private static double[] zeroed(double[] values) {
    return java.util.Arrays.stream(values).map(v -> v == 0 ? 0.0 : v).toArray();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("golden")
  void matchesScipyCramervonmises2sampAsymptotic(Case c) {
    long[][] counts = pooled(c.x(), c.y());
    CramerVonMises.Result r = CramerVonMises.test(counts[0], counts[1]);
    assertThat(r.statistic()).isCloseTo(c.statistic(),
        within(1e-12 * Math.max(1, Math.abs(c.statistic()))));
    assertThat(r.pValue()).isCloseTo(c.pValue(), within(1e-12 + 1e-9 * c.pValue()));
    assertThat(r.n()).isEqualTo(c.x().length);
    assertThat(r.m()).isEqualTo(c.y().length);
  }

  @Test
  void needsTwoValuesASideAndOneCountPerValue() {
    assertThatThrownBy(() -> CramerVonMises.test(new long[] {1, 0}, new long[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cramér–von Mises needs at least two values on each side: 1 and 2");
    assertThatThrownBy(() -> CramerVonMises.test(new long[] {1}, new long[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cramér–von Mises needs one count per value on both sides: 1 and 2");
  }
}
