package io.driftlake.drift.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TestSliceSettings {
  @Test
  void noSlicesByDefaultAndSpecsAsWritten() {
    assertThat(TestDriftSettings.settings("").slices()).isEqualTo(new SliceSettings(List.of(), 20));
    SliceSettings read = TestDriftSettings.settings(
        "driftlake.drift { slices = [channel, \" age > 60 \"], slice-max-values = 5 }").slices();
    assertThat(read.specs()).containsExactly("channel", "age > 60");
    assertThat(read.maxValues()).isEqualTo(5);
    // The per-feature narrowing of a run keeps the slices.
    assertThat(TestDriftSettings.settings("driftlake.drift.slices = [channel]")
        .onlyFeatures(List.of("x")).slices().specs()).containsExactly("channel");
  }

  @Test
  void aBlankARepeatedSpecOrNoValueAllowedIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> TestDriftSettings.settings("driftlake.drift.slices = [a, \" \"]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.slices: a blank slice spec in [a, ]");
    assertThatThrownBy(() -> TestDriftSettings.settings("driftlake.drift.slices = [a, \"a \"]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.slices: a slice spec is listed twice in [a, a]");
    assertThatThrownBy(() -> TestDriftSettings.settings("driftlake.drift.slice-max-values = 0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.slice-max-values must be at least 1: 0");
  }
}
