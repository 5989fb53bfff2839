package io.driftlake.drift.report;

import io.driftlake.drift.format.Numbers;
import io.driftlake.drift.compare.NumericBinning;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * One labelled bar pair per bin or category: shares of each side's non-null values. Numeric
 * features use the bins PSI and JS use ({@link NumericBinning} from the reference profile);
 * categorical ones the {@value #TOP_CATEGORIES} categories with the largest share on either side
 * plus "other".
 */
record Bars(List<String> labels, double[] reference, double[] current, String caption) {
  /** Categories plotted before the rest are summed into "other". */
  static final int TOP_CATEGORIES = 20;

  static Bars of(FeatureProfile reference, FeatureProfile current, int bins) {
    if (reference instanceof NumericProfile ref && current instanceof NumericProfile cur) {
      NumericBinning binning = NumericBinning.fromReference(ref, bins);
      double[] edges = binning.edges();
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < binning.bins(); i++) {
        labels.add(edges.length == 0 ? "all values"
            : i == 0 ? "to " + Numbers.number(edges[0])
            : i == edges.length ? "from " + Numbers.number(edges[i - 1])
            : Numbers.number(edges[i - 1]) + " – " + Numbers.number(edges[i]));
      }
      return new Bars(labels, shares(binning.counts(ref)), shares(binning.counts(cur)),
          binning.bins() + " bins at the reference's quantiles, as PSI and JS cut them (from "
              + "the profiles, [e_i, e_i+1), outer bins open; the PSI row records the exact "
              + "edges)");
    }
    CategoricalProfile ref = (CategoricalProfile) reference;
    CategoricalProfile cur = (CategoricalProfile) current;
    TreeSet<String> union = new TreeSet<>(ref.counts().keySet());
    union.addAll(cur.counts().keySet());
    List<String> ranked = union.stream().sorted(Comparator.comparingDouble(
            (String k) -> -Math.max(share(ref, k), share(cur, k))).thenComparing(k -> k))
        .toList();
    List<String> shown = ranked.subList(0, Math.min(TOP_CATEGORIES, ranked.size()));
    int rest = ranked.size() - shown.size();
    // A capped (top-k) profile's folded values belong in "other" too, so the bars sum to 1.
    boolean folded = ref.otherCount() > 0 || cur.otherCount() > 0;
    int n = shown.size() + (rest > 0 || folded ? 1 : 0);
    double[] r = new double[n];
    double[] c = new double[n];
    List<String> labels = new ArrayList<>(shown);
    for (int i = 0; i < shown.size(); i++) {
      r[i] = share(ref, shown.get(i));
      c[i] = share(cur, shown.get(i));
    }
    if (rest > 0 || folded) {
      labels.add(folded ? "other (" + rest + " + folded)" : "other (" + rest + ")");
      for (String k : ranked.subList(shown.size(), ranked.size())) {
        r[n - 1] += share(ref, k);
        c[n - 1] += share(cur, k);
      }
      r[n - 1] += ref.valid() == 0 ? 0 : (double) ref.otherCount() / ref.valid();
      c[n - 1] += cur.valid() == 0 ? 0 : (double) cur.otherCount() / cur.valid();
    }
    return new Bars(labels, r, c, union.size() + " categories" + (rest > 0
        ? ", the " + TOP_CATEGORIES + " with the largest share on either side shown" : "")
        + (folded ? "; \"other\" includes the values a capped profile folded (see "
            + "driftlake.drift.profile.max-categories)" : ""));
  }

  /**
   * A label that fits under a bar: whole when at most {@code max} characters, else ended with
   * "…" after the last whole word that ends in the second half of {@code max} − 1 characters (with
   * none, mid-word at {@code max} − 1); the page shows the whole label on hover.
   */
  static String shortened(String label, int max) {
    if (label.codePointCount(0, label.length()) <= max) {
      return label;
    }
    int cut = label.offsetByCodePoints(0, max - 1);
    int space = label.lastIndexOf(' ', cut);
    // After a word when one ends in the second half; else mid-word, the "…" saying so.
    String head = space >= cut / 2 ? label.substring(0, space) : label.substring(0, cut);
    return head.stripTrailing() + "…";
  }

  private static double[] shares(long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    double[] shares = new double[counts.length];
    for (int i = 0; i < counts.length && total > 0; i++) {
      shares[i] = (double) counts[i] / total;
    }
    return shares;
  }

  private static double share(CategoricalProfile p, String category) {
    return p.valid() == 0 ? 0 : (double) p.counts().getOrDefault(category, 0L) / p.valid();
  }
}
