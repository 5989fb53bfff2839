package io.driftlake.drift.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.SliceDrift;
import io.driftlake.drift.api.Slices;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.feature.FeatureType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ranking's measure on hand-made slices: impact = row share × drifted feature share. */
class TestSliceRanking {
  /** A slice report of {@code rows} current rows whose features drift with these PSI scores. */
  private static DriftReport report(long rows, double... psi) {
    List<FeatureDrift> features = new ArrayList<>();
    for (int i = 0; i < psi.length; i++) {
      Verdict v = psi[i] > 0.2 ? Verdict.DRIFTED : Verdict.NOT_DRIFTED;
      features.add(new FeatureDrift("f" + i, FeatureType.NUMERIC, rows, rows, 0, 0,
          List.of(new MethodResult("psi", psi[i], null, 0.2, v, null, Map.of())), "psi", v,
          false));
    }
    return new DriftReport(rows, rows, features, 0.25, RunStatus.NO_DRIFT, "", List.of());
  }

  @Test
  void impactIsRowShareTimesDriftedShareTiesByExceedanceThenName() {
    Slices ranked = SliceRanking.rank(List.of(
        new SliceRanking.Compared("small, all drifted", "s", report(50, 0.5, 0.5)),
        new SliceRanking.Compared("big, one of four", "s", report(400, 0.3, 0, 0, 0)),
        new SliceRanking.Compared("b, same impact, far", "s", report(100, 0.9)),
        new SliceRanking.Compared("a, same impact, near", "s", report(100, 0.3)),
        new SliceRanking.Compared("quiet", "s", report(300, 0.1, 0.1))),
        1000, List.of(new Slices.SkippedSlice("id", "too many values")));

    // 400/1000 × 1/4 = 0.1; 100/1000 × 1 = 0.1 twice (0.9 is further past 0.2 than 0.3); 50/1000.
    assertThat(ranked.ranked()).extracting(SliceDrift::slice).containsExactly(
        "b, same impact, far", "a, same impact, near", "big, one of four", "small, all drifted",
        "quiet");
    assertThat(ranked.ranked()).extracting(SliceDrift::rank).containsExactly(1, 2, 3, 4, 5);
    SliceDrift big = ranked.ranked().get(2);
    assertThat(big.rowShare()).isCloseTo(0.4, within(1e-15));
    assertThat(big.driftedShare()).isCloseTo(0.25, within(1e-15));
    assertThat(big.impact()).isCloseTo(0.1, within(1e-15));
    assertThat(ranked.ranked().get(3).impact()).isCloseTo(0.05, within(1e-15));
    assertThat(ranked.ranked().get(4).impact()).isZero();
    assertThat(ranked.skipped()).containsExactly(new Slices.SkippedSlice("id",
        "too many values"));
  }
}
