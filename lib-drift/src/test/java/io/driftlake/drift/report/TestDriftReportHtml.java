package io.driftlake.drift.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.profile.CategoricalProfile;
import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TestDriftReportHtml {
  private static CategoricalProfile capped(long folded, Object... kept) {
    TreeMap<String, Long> counts = new TreeMap<>();
    for (int i = 0; i < kept.length; i += 2) {
      counts.put((String) kept[i], ((Number) kept[i + 1]).longValue());
    }
    long rows = counts.values().stream().mapToLong(Long::longValue).sum() + folded;
    return new CategoricalProfile("city", rows, 0, counts, folded, null);
  }

  @Test
  void aCappedProfilesFoldedValuesAreInOtherSoTheBarsSumToOne() {
    // Reference: a 6, b 3, 1 folded; current: a 2, c 4, 4 folded.
    Bars bars = Bars.of(capped(1, "a", 6, "b", 3),
        capped(4, "a", 2, "c", 4), 10);
    assertThat(bars.labels()).containsExactly("a", "c", "b", "other (0 + folded)");
    assertThat(bars.reference()).containsExactly(new double[] {0.6, 0.0, 0.3, 0.1},
        within(1e-15));
    assertThat(bars.current()).containsExactly(new double[] {0.2, 0.4, 0.0, 0.4}, within(1e-15));
    assertThat(Arrays.stream(bars.current()).sum()).isCloseTo(1.0, within(1e-15));
    assertThat(bars.caption()).endsWith("; \"other\" includes the values a capped profile folded "
        + "(see driftlake.drift.profile.max-categories)");
  }

  @Test
  void anyColumnNameGivesAValidUniqueElementId() {
    assertThat(DriftReportHtml.anchor("income")).isEqualTo("feature-income");
    assertThat(DriftReportHtml.anchor("annual income")).isEqualTo("feature-annual_20_income");
    assertThat(DriftReportHtml.anchor("annual_income")).isEqualTo("feature-annual_5f_income");
    assertThat(DriftReportHtml.anchor("größe")).isEqualTo("feature-gr_f6__df_e");
  }
}
