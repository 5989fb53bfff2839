package io.driftlake.drift.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TestBars {
  @Test
  void aLongLabelIsCutAfterAWholeWordAndSaysSo() {
    assertThat(Bars.shortened("to 12.3", 14)).isEqualTo("to 12.3");
    assertThat(Bars.shortened("fourteen chars", 14)).isEqualTo("fourteen chars");
    assertThat(Bars.shortened("a category label far longer", 14)).isEqualTo("a category…");
    // No word ends in the second half: cut mid-word, the "…" saying so.
    assertThat(Bars.shortened("supercalifragilistic", 14)).isEqualTo("supercalifrag…");
    assertThat(Bars.shortened("ab supercalifragilistic", 14)).isEqualTo("ab supercalif…");
  }
}
