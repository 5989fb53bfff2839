package io.driftlake.drift.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.driftlake.drift.testing.Golden;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TestPsi {
  @Test
  void handComputedMirroredDistribution() {
    // p = .1 .2 .3 .4, q = .4 .3 .2 .1:
    // (.3)ln4 + (.1)ln1.5 + (-.1)ln(2/3) + (-.3)ln(.25) = 0.6*1.3862944 + 0.2*0.4054651
    double expected = 0.6 * 1.3862943611198906 + 0.2 * 0.4054651081081644;
    assertThat(Psi.of(new long[] {10, 20, 30, 40}, new long[] {40, 30, 20, 10}, 1e-4))
        .isCloseTo(expected, within(1e-12));
  }

  static Stream<JsonNode> golden() {
    return Golden.cases("psi").stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("golden")
  void matchesNumpy(JsonNode c) {
    assertThat(Psi.of(Golden.longs(c.get("ref_counts")), Golden.longs(c.get("cur_counts")),
        c.get("epsilon").asDouble())).isCloseTo(c.get("psi").asDouble(), within(1e-12));
  }

  @Test
  void emptyHistogramIsAnError() {
    assertThatThrownBy(() -> Psi.of(new long[] {1, 2}, new long[] {0, 0}, 1e-4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Empty current histogram");
    assertThatThrownBy(() -> Psi.of(new long[] {1, 2}, new long[] {1}, 1e-4))
        .hasMessage("Histograms differ in length: reference 2, current 1");
  }
}
