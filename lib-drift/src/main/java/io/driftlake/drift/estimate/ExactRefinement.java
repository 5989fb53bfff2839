package io.driftlake.drift.estimate;

import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Exact KS and Wasserstein-1 without a sort, by refinement, as pure arithmetic on counts (the
 * passes over the data that produce the counts live elsewhere).
 *
 * <p>{@link #start} certifies what the two fine histograms settle: D ≥ the largest |F − G| at a
 * fine-bin boundary, and W1 over every bin where F − G keeps one sign; the rest are
 * {@link Region}s. A pass then gives each open region either its sub-bins at a finer shift
 * ({@link Split}: counts and sums per side) or its exact distinct values ({@link Values}), and
 * {@link #step} settles what those show: sub-bin boundaries raise the KS lower bound, sub-bins
 * where F − G keeps one sign add their exact W1 area, exact values settle a region completely,
 * and the sub-bins that still may hold the KS maximum or a sign change of F − G are the next
 * pass's regions — fewer and narrower each time. When no region is left, D is the lower bound
 * and W1 the sum, both exact (ties and ±∞ as scipy's {@code ks_2samp} and
 * {@code wasserstein_distance}, which leaves ±∞ out of W1). {@link RefinementPlan} chooses for
 * each region how finely its next pass splits it, within a memory budget.
 */
public final class ExactRefinement {
  private ExactRefinement() {}

  /**
   * Counts of one feature that every step's arithmetic needs: non-null, non-NaN values per side
   * ({@code n}, {@code m}, with ±∞: KS's sample sizes), their −∞ and finite counts (W1's).
   */
  public record Totals(long n, long m, long refNegativeInfinities, long curNegativeInfinities,
                       long refFinite, long curFinite) implements java.io.Serializable {}

  /**
   * Where one feature stands: D ≥ {@code ksLower} (equal once no open region has {@code ks});
   * {@code w1Area} = W1 outside the open regions that have {@code w1}.
   */
  public record State(String feature, int index, Totals totals, boolean ks, boolean w1,
                      double ksLower, double w1Area, List<Region> open)
      implements java.io.Serializable {
    public State {
      open = List.copyOf(open);
    }

    public boolean settled() {
      return open.isEmpty();
    }

    public long openValues() {
      return open.stream().mapToLong(Region::values).sum();
    }
  }

  /** One open region's sub-bins at {@code depth} more bits: counts and sums of value − base. */
  public record Split(int depth, long[] refCounts, long[] curCounts, double[] refSums,
                      double[] curSums) {}

  /** One open region's distinct values, ascending, with each side's count. */
  public record Values(double[] values, long[] refCounts, long[] curCounts)
      implements java.io.Serializable {}

  /**
   * What the fine histograms settle, and the open regions: fine bins where the KS maximum may
   * lie ({@code ks}) or F − G may change sign ({@code w1}). Both profiles need values.
   */
  public static State start(int index, NumericProfile reference, NumericProfile current,
                            boolean ks, boolean w1) {
    Totals totals = new Totals(reference.valid(), current.valid(),
        reference.negativeInfinities(), current.negativeInfinities(), reference.finiteCount(),
        current.finiteCount());
    double ksLower = 0;
    Set<Long> ksKeys = Set.of();
    if (ks) {
      HistogramKs.Certificate certificate = HistogramKs.certify(reference, current);
      ksLower = certificate.lowerBound();
      ksKeys = certificate.candidateKeys();
    }
    Set<Long> w1Keys = Set.of();
    double w1Area = 0;
    if (w1) {
      w1Keys = HistogramWasserstein.candidates(reference, current);
      w1Area = HistogramWasserstein.distance(reference, current, w1Keys, 0.0);
    }
    SortedSet<Long> keys = new TreeSet<>(ksKeys);
    keys.addAll(w1Keys);
    List<Region> open = new ArrayList<>();
    List<Region> known = new ArrayList<>();
    List<Values> knownValues = new ArrayList<>();
    Aligned bins = Aligned.of(reference, current);
    long refBefore = 0;
    long curBefore = 0;
    for (int i = 0; i < bins.size; i++) {
      long key = bins.keys[i];
      NumericProfile.Bin r = bins.ref[i];
      NumericProfile.Bin c = bins.cur[i];
      if (keys.contains(key)) {
        if (key == 0 || Math.abs(key) == FineBins.INFINITY_KEY) {
          throw new IllegalStateException("The bin of 0 or ±∞ cannot be a region: " + key);
        }
        double lo = Math.min(r == null ? Double.POSITIVE_INFINITY : r.min(),
            c == null ? Double.POSITIVE_INFINITY : c.min());
        double hi = Math.max(r == null ? Double.NEGATIVE_INFINITY : r.max(),
            c == null ? Double.NEGATIVE_INFINITY : c.max());
        Region region = new Region(index, key < 0, Math.abs(key) - 1, FineBins.SHIFT, lo, hi,
            refBefore, curBefore, Aligned.count(r), Aligned.count(c), ksKeys.contains(key),
            w1Keys.contains(key));
        Values values = valuesOf(r, c);
        if (values != null) {
          known.add(region);
          knownValues.add(values);
        } else {
          open.add(region);
        }
      }
      refBefore += Aligned.count(r);
      curBefore += Aligned.count(c);
    }
    if (!known.isEmpty()) {
      // Settled from the profiles: every one of these regions comes with its values.
      State settled = step(new State(reference.feature(), index, totals, ks, w1, ksLower, w1Area,
          known), new Split[known.size()], knownValues.toArray(Values[]::new));
      ksLower = settled.ksLower();
      w1Area = settled.w1Area();
    }
    return new State(reference.feature(), index, totals, ks, w1, ksLower, w1Area, open);
  }

  /**
   * A fine bin's exact values when the profiles fix them, so that no pass needs to read them:
   * on each side at most two values (they are the bin's min and max, when both are exact) or a
   * single distinct value (min = max), as in a sparse tail or a column of repeated values. Else null.
   */
  public static Values valuesOf(NumericProfile.Bin reference, NumericProfile.Bin current) {
    java.util.TreeMap<Double, long[]> values = new java.util.TreeMap<>(Double::compare);
    if (!known(values, reference, 0) || !known(values, current, 1)) {
      return null;
    }
    double[] v = new double[values.size()];
    long[] refCounts = new long[v.length];
    long[] curCounts = new long[v.length];
    int i = 0;
    for (java.util.Map.Entry<Double, long[]> e : values.entrySet()) {
      v[i] = e.getKey();
      refCounts[i] = e.getValue()[0];
      curCounts[i++] = e.getValue()[1];
    }
    return new Values(v, refCounts, curCounts);
  }

  /**
   * The profile keys of the fine bins whose exact values the profiles do not fix ({@link
   * #valuesOf}): what a pass must fetch for every value of both sides (±0 and ±∞ are fixed).
   */
  public static SortedSet<Long> unfixedKeys(NumericProfile reference, NumericProfile current) {
    SortedSet<Long> keys = new TreeSet<>();
    Aligned bins = Aligned.of(reference, current);
    for (int i = 0; i < bins.size; i++) {
      long key = bins.keys[i];
      if (key != 0 && Math.abs(key) != FineBins.INFINITY_KEY
          && valuesOf(bins.ref[i], bins.cur[i]) == null) {
        keys.add(key);
      }
    }
    return keys;
  }

  private static boolean known(java.util.TreeMap<Double, long[]> values, NumericProfile.Bin bin,
                               int side) {
    if (bin == null || bin.count() == 0) {
      return true;
    }
    if (bin.singleValue()) {
      values.computeIfAbsent(bin.min(), k -> new long[2])[side] += bin.count();
      return true;
    }
    if (bin.count() == 2 && bin.exactExtremes()) {
      values.computeIfAbsent(bin.min(), k -> new long[2])[side] += 1;
      values.computeIfAbsent(bin.max(), k -> new long[2])[side] += 1;
      return true;
    }
    return false;
  }

  /**
   * Settles what one pass shows. {@code splits[i]} or {@code values[i]} (exactly one of them) is
   * what the pass found in open region i.
   *
   * @throws IllegalStateException when a region's counts differ from what the previous level
   *     said (the data changed between the passes)
   */
  public static State step(State state, Split[] splits, Values[] values) {
    List<Region> regions = state.open();
    Totals t = state.totals();
    double lower = state.ksLower();
    double area = state.w1Area();
    for (int i = 0; i < regions.size(); i++) {
      Region r = regions.get(i);
      if ((splits[i] == null) == (values[i] == null)) {
        throw new IllegalArgumentException("Region " + i + " needs either a split or values");
      }
      if (values[i] != null) {
        Values v = values[i];
        check(state.feature(), r, sum(v.refCounts()), sum(v.curCounts()));
        lower = Math.max(lower, exactKs(t, r, v));
        if (r.w1()) {
          area += exactArea(t, r, v);
        }
      } else {
        Split s = splits[i];
        check(state.feature(), r, sum(s.refCounts()), sum(s.curCounts()));
        lower = Math.max(lower, boundaries(t, r, s));
      }
    }
    List<Region> open = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      if (splits[i] != null) {
        area += settle(t, regions.get(i), splits[i], lower, open);
      }
    }
    return new State(state.feature(), state.index(), t, state.ks(), state.w1(), lower, area,
        open);
  }

  /** The largest |F − G| at the sub-bins' upper boundaries. */
  private static double boundaries(Totals t, Region r, Split s) {
    int size = s.refCounts().length;
    EcdfWalk walk = new EcdfWalk(t.n(), t.m(), r.refBefore(), r.curBefore());
    double lower = 0;
    for (int k = 0; k < size; k++) {
      int j = r.negative() ? size - 1 - k : k;
      if (s.refCounts()[j] == 0 && s.curCounts()[j] == 0) {
        continue;
      }
      lower = Math.max(lower, walk.add(s.refCounts()[j], s.curCounts()[j]).gapAfter());
    }
    return lower;
  }

  /**
   * W1 over the sub-bins where F − G keeps one sign (and the empty stretches between them); the
   * sub-bins still open for KS (upper bound above {@code lower}) or W1 are added to {@code open}.
   */
  private static double settle(Totals t, Region r, Split s, double lower, List<Region> open) {
    double nf = t.refFinite();
    double mf = t.curFinite();
    double base = r.base();
    int depth = s.depth();
    int size = s.refCounts().length;
    // The KS walk counts every value; the W1 walk only the finite ones, after the −∞.
    EcdfWalk all = new EcdfWalk(t.n(), t.m(), r.refBefore(), r.curBefore());
    EcdfWalk finite = new EcdfWalk(t.refFinite(), t.curFinite(),
        r.refBefore() - t.refNegativeInfinities(), r.curBefore() - t.curNegativeInfinities());
    double area = 0;
    for (int k = 0; k < size; k++) {
      int j = r.negative() ? size - 1 - k : k;
      long cr = s.refCounts()[j];
      long cc = s.curCounts()[j];
      all.add(cr, cc);
      finite.add(cr, cc);
      double[] edges = r.subBinEdges(j, depth);
      double a = Math.max(edges[0], r.lo());
      double b = Math.min(edges[1], r.hi());
      boolean ks = r.ks() && cr > 0 && cc > 0 && all.largestInside() > lower;
      boolean w1 = false;
      if (r.w1() && b > a) {
        if (cr == 0 && cc == 0) {
          area += Math.abs(finite.before()) * (b - a);
        } else if (finite.keepsSign()) {
          // F − G keeps its sign: ∫(F − G) = d·(b − a) + Σ(b − v)/n − Σ(b − w)/m.
          double local = b - base;
          area += finite.signedArea(b - a, (cr * local - s.refSums()[j]) / nf,
              (cc * local - s.curSums()[j]) / mf);
        } else {
          w1 = true;
        }
      }
      if (ks || w1) {
        long magnitude = (r.magnitude() << depth) | j;
        open.add(new Region(r.feature(), r.negative(), magnitude, r.shift() - depth, a, b,
            all.refBefore(), all.curBefore(), cr, cc, ks, w1));
      }
    }
    return area;
  }

  /** The largest |F − G| after each distinct value of the region. */
  private static double exactKs(Totals t, Region r, Values v) {
    EcdfWalk walk = new EcdfWalk(t.n(), t.m(), r.refBefore(), r.curBefore());
    double lower = 0;
    for (int i = 0; i < v.values().length; i++) {
      lower = Math.max(lower, walk.add(v.refCounts()[i], v.curCounts()[i]).gapAfter());
    }
    return lower;
  }

  /** ∫|F − G| over [lo, hi] of a region whose distinct values are all known. */
  private static double exactArea(Totals t, Region r, Values v) {
    EcdfWalk walk = new EcdfWalk(t.refFinite(), t.curFinite(),
        r.refBefore() - t.refNegativeInfinities(), r.curBefore() - t.curNegativeInfinities());
    double at = r.lo();
    double area = 0;
    for (int i = 0; i < v.values().length; i++) {
      double x = v.values()[i];
      area += Math.abs(walk.add(v.refCounts()[i], v.curCounts()[i]).before()) * (x - at);
      at = x;
    }
    return area + walk.gapAfter() * (r.hi() - at);
  }

  private static void check(String feature, Region r, long ref, long cur) {
    if (ref != r.refCount() || cur != r.curCount()) {
      throw new IllegalStateException(String.format(
          "Exact pass for feature '%s' found %d reference and %d current values in a bin where "
              + "the previous level counted %d and %d: did the data change between the passes?",
          feature, ref, cur, r.refCount(), r.curCount()));
    }
  }

  private static long sum(long[] counts) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    return total;
  }
}
