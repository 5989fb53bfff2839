package io.driftlake.drift.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.profile.FineHistogram;
import io.driftlake.drift.profile.NumericProfile;
import org.junit.jupiter.api.Test;

class TestEcdf {
  private static NumericProfile profile(double... values) {
    FineHistogram h = new FineHistogram();
    for (double v : values) {
      h.add(v);
    }
    return new NumericProfile("x", values.length, 0, 0, h.toBins());
  }

  @Test
  void infinitiesCountInFAndGButStayOffTheAxis() {
    // By hand, n = m = 4: F(x) = share ≤ x. −∞ puts F at 1/4 before any finite value; at 1,
    // F = 2/4 and G = 0: the first largest gap, 1/2 (again at 2 and 3).
    Ecdf e = Ecdf.of(profile(Double.NEGATIVE_INFINITY, 1, 2, 3),
        profile(2, 3, 4, Double.POSITIVE_INFINITY));
    assertThat(e.referenceStart()).isEqualTo(0.25);
    assertThat(e.currentStart()).isZero();
    assertThat(e.low()).isEqualTo(1);
    assertThat(e.high()).isEqualTo(4);
    assertThat(e.gap()).isEqualTo(new Ecdf.Gap(1, 0.5, 0));
    assertThat(e.reference()).containsExactly(new Ecdf.Rise(1, 1, 0.25, 0.5),
        new Ecdf.Rise(2, 2, 0.5, 0.75), new Ecdf.Rise(3, 3, 0.75, 1));
    assertThat(e.current()).containsExactly(new Ecdf.Rise(2, 2, 0, 0.25),
        new Ecdf.Rise(3, 3, 0.25, 0.5), new Ecdf.Rise(4, 4, 0.5, 0.75));
  }

  @Test
  void aBinOfSeveralValuesRisesFromItsMinToItsMax() {
    // 1.0 and 1.001 share a fine bin (0.39 % to 0.78 % wide at 1): one rise over both.
    Ecdf e = Ecdf.of(profile(1.0, 1.001), profile(5, 6));
    assertThat(e.reference()).containsExactly(new Ecdf.Rise(1.0, 1.001, 0, 1));
    assertThat(e.gap()).isEqualTo(new Ecdf.Gap(1.001, 1, 0));
  }

  @Test
  void withoutFiniteValuesThereIsNoCurve() {
    assertThatThrownBy(() -> Ecdf.of(profile(Double.POSITIVE_INFINITY), profile(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("No ECDF of 'x': 0 finite reference and 1 finite current values");
  }
}
