package io.driftlake.drift.compare;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.SliceDrift;
import io.driftlake.drift.api.Slices;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Ranks slices by how much they drive the dataset's drift. A slice's impact is its share of the
 * current rows times the share of its compared features that drifted: the share of the current
 * data's (row, feature) cells that lie in drifted features of that slice. A slice where every
 * feature drifts and that holds 30 % of the rows has impact 0.3; a tiny slice that drifts
 * entirely, or a big one where one feature of ten drifts, ranks lower. Ties go to the slice whose
 * most drifted feature is furthest past its threshold ({@link FeatureDrift#exceedance()}), then
 * to the name.
 */
public final class SliceRanking {
  private SliceRanking() {}

  /** One compared slice before ranking. */
  public record Compared(String slice, String spec, DriftReport report) {}

  /** The slices ranked, with the skipped ones listed after. */
  public static Slices rank(List<Compared> slices, long currentRows,
                            List<Slices.SkippedSlice> skipped) {
    record Scored(Compared c, double rowShare, double driftedShare, double top) {
      double impact() {
        return rowShare * driftedShare;
      }
    }
    List<Scored> scored = new ArrayList<>();
    for (Compared c : slices) {
      List<FeatureDrift> features = c.report().features();
      double rowShare = currentRows == 0 ? 0 : (double) c.report().currentRows() / currentRows;
      double drifted = features.isEmpty() ? 0
          : (double) features.stream().filter(FeatureDrift::drifted).count() / features.size();
      double top = features.stream().filter(FeatureDrift::drifted)
          .mapToDouble(FeatureDrift::exceedance).max().orElse(0);
      scored.add(new Scored(c, rowShare, drifted, top));
    }
    scored.sort(Comparator.comparingDouble(Scored::impact).reversed()
        .thenComparing(Comparator.comparingDouble(Scored::top).reversed())
        .thenComparing(s -> s.c().slice()));
    List<SliceDrift> ranked = new ArrayList<>();
    for (Scored s : scored) {
      ranked.add(new SliceDrift(s.c().slice(), s.c().spec(), ranked.size() + 1, s.rowShare(),
          s.driftedShare(), s.impact(), s.c().report()));
    }
    return new Slices(ranked, skipped);
  }
}
