package io.driftlake.drift.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The arithmetic of multivariate drift against hand values and a full enumeration. */
class TestMultivariate {
  @Test
  void meanSdAndBand() {
    double[] values = {1, 2, 3, 4};
    assertThat(Multivariate.mean(values)).isEqualTo(2.5);
    // Σ(v − 2.5)² = 5, over n − 1 = 3.
    assertThat(Multivariate.sd(values)).isCloseTo(Math.sqrt(5.0 / 3), within(1e-15));
    assertThat(Multivariate.band(values, 3)).containsExactly(
        new double[] {2.5 - 3 * Math.sqrt(5.0 / 3), 2.5 + 3 * Math.sqrt(5.0 / 3)},
        within(1e-12));
    assertThatThrownBy(() -> Multivariate.sd(new double[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("A standard deviation needs two values: 1");
  }

  /**
   * The null AUC sd against every arrangement of 3 negatives and 4 positives (35, equally likely
   * when the classes do not differ): the AUC is the share of (negative, positive) pairs in order.
   */
  @Test
  void nullAucSdIsTheSdOverEveryArrangement() {
    int n0 = 3;
    int n1 = 4;
    int n = n0 + n1;
    double sum = 0;
    double squares = 0;
    int count = 0;
    for (int mask = 0; mask < 1 << n; mask++) {
      if (Integer.bitCount(mask) != n1) {
        continue;
      }
      int pairs = 0;
      int negativesBelow = 0;
      for (int rank = 0; rank < n; rank++) {
        if ((mask & (1 << rank)) != 0) {
          pairs += negativesBelow;
        } else {
          negativesBelow++;
        }
      }
      double auc = (double) pairs / (n0 * n1);
      sum += auc;
      squares += auc * auc;
      count++;
    }
    double mean = sum / count;
    assertThat(count).isEqualTo(35);
    assertThat(mean).isCloseTo(0.5, within(1e-15));
    assertThat(Multivariate.nullAucSd(n0, n1))
        .isCloseTo(Math.sqrt(squares / count - mean * mean), within(1e-12));
    assertThat(Multivariate.nullAucSd(1, 1)).isEqualTo(0.5);
    assertThatThrownBy(() -> Multivariate.nullAucSd(0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("An AUC needs rows of both classes: 0 negatives, 3 positives");
  }

  @Test
  void componentsReachTheVarianceShare() {
    assertThat(Multivariate.componentsFor(new double[] {0.7, 0.2, 0.1}, 0.65)).isEqualTo(1);
    assertThat(Multivariate.componentsFor(new double[] {0.6, 0.3, 0.1}, 0.65)).isEqualTo(2);
    // 0.5 + 0.15 is 0.65 up to rounding: it reaches it.
    assertThat(Multivariate.componentsFor(new double[] {0.5, 0.15, 0.35}, 0.65)).isEqualTo(2);
    assertThat(Multivariate.componentsFor(new double[] {0.4, 0.3, 0.3}, 1)).isEqualTo(3);
    assertThatThrownBy(() -> Multivariate.componentsFor(new double[] {1}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Variance share to keep must be in (0, 1]: 0.0");
  }
}
