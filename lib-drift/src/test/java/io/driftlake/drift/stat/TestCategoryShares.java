package io.driftlake.drift.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TestCategoryShares {
  // Shares p = (.5 .3 .2 0), q = (.25 .25 .25 .25): differences .25 .05 -.05 -.25.
  private static final long[] REF = {50, 30, 20, 0};
  private static final long[] CUR = {10, 10, 10, 10};

  @Test
  void totalVariationIsHalfTheL1Distance() {
    assertThat(CategoryShares.totalVariation(REF, CUR)).isCloseTo(0.3, within(1e-15));
  }

  @Test
  void lInfinityIsTheLargestShareChange() {
    assertThat(CategoryShares.lInfinity(REF, CUR)).isCloseTo(0.25, within(1e-15));
  }

  @Test
  void disjointSupportsAreAtTheMaximum() {
    assertThat(CategoryShares.totalVariation(new long[] {3, 0}, new long[] {0, 7})).isEqualTo(1.0);
    assertThat(CategoryShares.lInfinity(new long[] {3, 0}, new long[] {0, 7})).isEqualTo(1.0);
    assertThat(CategoryShares.totalVariation(new long[] {3, 6}, new long[] {1, 2})).isZero();
  }
}
