package io.driftlake.drift.compare;

import io.driftlake.drift.estimate.ExactRefinement;
import io.driftlake.drift.method.Bins;
import io.driftlake.drift.profile.BinClosed;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Bin counts of one feature's two profiles, for the drift methods that score bins. */
final class FeatureBins {
  private FeatureBins() {}

  /**
   * The bins of both sides: numeric ones at the reference's quantile edges as numpy makes them
   * ({@link NumericBinning}), exact where the profiles or {@code binValues} fix them and bounded
   * otherwise; categorical ones over the union of categories, or, when a profile is capped, the
   * categories both keep plus the rest by hash bucket.
   */
  static Bins of(FeatureProfile reference, FeatureProfile current,
                 Map<Long, ExactRefinement.Values> binValues, int bins,
                 BinClosed closed) {
    Map<String, String> conventions = new LinkedHashMap<>();
    if (reference instanceof NumericProfile ref && current instanceof NumericProfile cur) {
      NumericBinning binning = NumericBinning.fromReference(ref, bins, closed,
          binValues == null ? Map.of() : binValues);
      NumericBinning.Counts r = binning.counts(ref, 0);
      NumericBinning.Counts c = binning.counts(cur, 1);
      conventions.put("bins", Integer.toString(binning.bins()));
      conventions.put("edge_source", String.format(Locale.ROOT, "reference quantiles "
          + "np.quantile(reference, [1/%d, ..., %d/%d]) (method 'linear'), duplicates and "
          + "non-finite ones dropped, open outer bins", bins, bins - 1, bins));
      conventions.put("closed", binning.closed().describe());
      conventions.put("edges", Arrays.stream(binning.edges()).mapToObj(Double::toString)
          .collect(Collectors.joining(",", "[", "]")));
      boolean exact = binning.edgesExact() && r.uncertain() == 0 && c.uncertain() == 0;
      conventions.put("mode", exact ? "exact" : "approximate");
      if (!exact) {
        conventions.put("edges_exact", Boolean.toString(binning.edgesExact()));
        conventions.put("uncertain_reference_share",
            Double.toString((double) r.uncertain() / ref.valid()));
        conventions.put("uncertain_current_share",
            Double.toString((double) c.uncertain() / cur.valid()));
        conventions.put("error_bound_source", "each bin's share is within the uncertain share "
            + "of its side of the exact one (values of fine bins that straddle an edge, spread "
            + "evenly over the bin's [min, max]); score_lower and score_upper bound the exact "
            + "score from each bin's least and most possible count");
        return new Bins(r.counts(), c.counts(), conventions, false, false, r.counts().length,
            null, new Bins.CountRanges(r.low(), r.high(), Arrays.stream(r.counts()).sum(),
                c.low(), c.high(), Arrays.stream(c.counts()).sum(), binning.binsMayMerge()));
      }
      return new Bins(r.counts(), c.counts(), conventions);
    }
    if (reference instanceof CategoricalProfile ref && current instanceof CategoricalProfile cur) {
      TreeSet<String> union = new TreeSet<>(ref.counts().keySet());
      union.addAll(cur.counts().keySet());
      if (!ref.capped() && !cur.capped()) {
        long[] r = union.stream().mapToLong(k -> ref.counts().getOrDefault(k, 0L)).toArray();
        long[] c = union.stream().mapToLong(k -> cur.counts().getOrDefault(k, 0L)).toArray();
        conventions.put("bins", Integer.toString(union.size()));
        conventions.put("edge_source", "category union");
        return new Bins(r, c, conventions, true, false, r.length, null);
      }
      // A capped profile knows only its top categories individually, and every value by hash
      // bucket: compare the categories both profiles count individually, and the rest by
      // bucket (what is left of each bucket once those categories are taken out), so every
      // value takes part, never only the top categories'.
      if (ref.capped()) {
        union.retainAll(ref.counts().keySet());
      }
      if (cur.capped()) {
        union.retainAll(cur.counts().keySet());
      }
      long[] rb = ref.bucketCounts();
      long[] cb = cur.bucketCounts();
      if (rb == null || cb == null) {
        String side = rb == null ? "reference" : "current";
        conventions.put("bins", "not computed");
        conventions.put("edge_source", "not computed");
        return new Bins(new long[0], new long[0], conventions, true, true, 0, String.format(
            "not computable: the %s profile is capped (its top %d categories; %d values folded "
                + "into 'other') and has no category hash buckets (profiled before them); "
                + "profile it again or use exact mode", side,
            (rb == null ? ref : cur).counts().size(), (rb == null ? ref : cur).otherCount()));
      }
      List<Long> r = new ArrayList<>();
      List<Long> c = new ArrayList<>();
      for (String k : union) {
        long a = ref.counts().getOrDefault(k, 0L);
        long b = cur.counts().getOrDefault(k, 0L);
        r.add(a);
        c.add(b);
        int bucket = CategoricalProfile.bucket(k);
        rb[bucket] -= a;
        cb[bucket] -= b;
      }
      int buckets = 0;
      for (int i = 0; i < CategoricalProfile.BUCKETS; i++) {
        if (rb[i] > 0 || cb[i] > 0) {
          r.add(rb[i]);
          c.add(cb[i]);
          buckets++;
        }
      }
      conventions.put("bins", Integer.toString(r.size()));
      conventions.put("edge_source", String.format(Locale.ROOT, "%d categories counted "
          + "individually on both sides (top-k of the capped profiles) + %d non-empty of %d hash "
          + "buckets of the other categories (MurmurHash3 x64 of the UTF-8 bytes, seed %d)",
          union.size(), buckets, CategoricalProfile.BUCKETS, CategoricalProfile.BUCKET_SEED));
      conventions.put("mode", "approximate");
      conventions.put("approximation", "categories sharing a hash bucket are merged, which can "
          + "only lower PSI, JS, TVD and chi2's power; exact mode counts every category");
      return new Bins(r.stream().mapToLong(Long::longValue).toArray(),
          c.stream().mapToLong(Long::longValue).toArray(), conventions, true, true, union.size(),
          null);
    }
    throw new IllegalArgumentException(String.format(
        "Feature '%s' is %s in the reference but %s in the current selection",
        reference.feature(), reference.type().id(), current.type().id()));
  }
}
