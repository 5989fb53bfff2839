package io.driftlake.drift.stat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.driftlake.drift.testing.Golden;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TestJensenShannon {
  static Stream<JsonNode> golden() {
    return Golden.cases("js").stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("golden")
  void matchesScipyBase2Squared(JsonNode c) {
    long[] p = Golden.longs(c.get("p"));
    long[] q = Arrays.copyOf(Golden.longs(c.get("q")), p.length); // padded as the script pads
    assertThat(JensenShannon.divergence(p, q))
        .isCloseTo(c.get("js_divergence_base2").asDouble(), within(1e-12));
  }
}
