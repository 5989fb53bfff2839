package io.driftlake.drift.format;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TestNumbers {
  @Test
  void threeSignificantDigitsInOneStyleBesideEachOther() {
    // The pair the issue names: no 3.65259e-05 beside 0.00234973.
    assertThat(Numbers.number(3.65259e-05)).isEqualTo("3.65e-5");
    assertThat(Numbers.number(0.00234973)).isEqualTo("0.00235");
    assertThat(Numbers.number(0.5)).isEqualTo("0.5");
    assertThat(Numbers.number(0.05)).isEqualTo("0.05");
    assertThat(Numbers.number(12.3456)).isEqualTo("12.3");
    assertThat(Numbers.number(-0.000123456)).isEqualTo("-1.23e-4");
    assertThat(Numbers.number(0.001)).isEqualTo("0.001");
    assertThat(Numbers.number(0.00099996)).isEqualTo("0.001");
    assertThat(Numbers.number(0.00012)).isEqualTo("1.2e-4");
    assertThat(Numbers.number(1.0)).isEqualTo("1");
    assertThat(Numbers.number(0.0)).isEqualTo("0");
    // Integer digits are never rounded away below a million; past it, scientific.
    assertThat(Numbers.number(48231.5)).isEqualTo("48232");
    assertThat(Numbers.number(999.96)).isEqualTo("1000");
    assertThat(Numbers.number(12_345_678.0)).isEqualTo("1.23e7");
    assertThat(Numbers.number(4.9e-324)).isEqualTo("4.94e-324"); // the smallest double
  }

  @Test
  void missingAndNonFiniteAreADashAndAZeroPValueIsBelow1eMinus300() {
    assertThat(Numbers.number(null)).isEqualTo("–");
    assertThat(Numbers.number(Double.NaN)).isEqualTo("–");
    assertThat(Numbers.number(Double.NEGATIVE_INFINITY)).isEqualTo("–");
    assertThat(Numbers.pValue(0.0)).isEqualTo("< 1e-300");
    assertThat(Numbers.pValue(1e-305)).isEqualTo("1e-305");
    assertThat(Numbers.pValue(0.0312)).isEqualTo("0.0312");
    assertThat(Numbers.pValue(null)).isEqualTo("–");
    assertThat(Numbers.percent(0.1234)).isEqualTo("12.3 %");
  }

  @Test
  void checkDetailsKeepSixDigitsInTheSameStyle() {
    assertThat(Numbers.number(5.02394e-06, 6)).isEqualTo("5.02394e-6");
    assertThat(Numbers.number(0.999934, 6)).isEqualTo("0.999934");
    assertThat(Numbers.number(1234.5678, 6)).isEqualTo("1234.57");
    assertThat(Numbers.number(2.0, 6)).isEqualTo("2");
    assertThat(io.driftlake.drift.quality.Text.number(Double.NaN)).isEqualTo("n/a");
    assertThat(io.driftlake.drift.quality.Text.number(3.65259e-05)).isEqualTo("3.65259e-5");
  }
}
