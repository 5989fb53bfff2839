package io.driftlake.drift.estimate;

import io.driftlake.drift.estimate.ExactRefinement.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The memory plan of one exact pass: for each open region of {@link ExactRefinement}, how many
 * bits the pass splits it by, or whether it fetches the region's exact values, within a budget of
 * sub-bins and of values held on the driver.
 */
public final class RefinementPlan {
  private RefinementPlan() {}

  /**
   * How the next pass treats each open region of {@code states}: the number of bits it is split
   * by, or its shift to fetch its exact values. All of the pass's regions go exact when they hold
   * at most {@code exactLimit} values. Otherwise, first, a feature that this pass can settle
   * (see {@link #nearMaximum}) gets the {@value #NEAR_MAXIMUM_BINS} fine bins with the largest
   * |F − G| at their edges fetched exactly, while those stay within {@code exactLimit} in all:
   * the KS maximum lies next to the histograms' own, and a split leaves the sub-bins right at it
   * open for one more pass. The other regions are split: each feature gets about 2·c^¾ sub-bins
   * for its c values left (so sub-bins hold ever fewer values as c grows, at a cost well below
   * one per value), all features together at most {@code subBinBudget}, shared among a feature's
   * fine bins by their values. A fine bin whose regions would get no more sub-bins than values
   * is fetched exactly instead, within the same {@code exactLimit}.
   *
   * @return per state, per open region: the depth (equal to the region's shift: exact values)
   */
  public static int[][] plan(List<State> states, long subBinBudget, long exactLimit) {
    long total = states.stream().mapToLong(State::openValues).sum();
    int[][] depths = new int[states.size()][];
    if (total <= exactLimit) {
      for (int f = 0; f < states.size(); f++) {
        depths[f] = states.get(f).open().stream().mapToInt(Region::shift).toArray();
      }
      return depths;
    }
    List<Map<Long, List<Integer>>> groupsOf = new ArrayList<>();
    List<List<Long>> orderOf = new ArrayList<>();
    List<Set<Long>> fetchedOf = new ArrayList<>();
    List<List<Long>> nearOf = new ArrayList<>();
    long exact = 0;
    for (State s : states) {
      Map<Long, List<Integer>> groups = new HashMap<>();
      List<Long> order = new ArrayList<>();
      for (int i = 0; i < s.open().size(); i++) {
        Region r = s.open().get(i);
        long id = r.negative() ? ~r.fineMagnitude() : r.fineMagnitude();
        groups.computeIfAbsent(id, k -> {
          order.add(k);
          return new ArrayList<>();
        }).add(i);
      }
      groupsOf.add(groups);
      orderOf.add(order);
      Set<Long> fetched = new java.util.HashSet<>();
      // Sparse fine bins (tails, mostly) first: a split would leave their few values open.
      for (long id : order) {
        long groupValues = values(s, groups.get(id));
        if (groupValues <= SPARSE_BIN && exact + groupValues <= exactLimit) {
          exact += groupValues;
          fetched.add(id);
        }
      }
      fetchedOf.add(fetched);
      nearOf.add(nearMaximum(s) ? nearestToMaximum(s, groups, order) : List.of());
    }
    // Then the bins next to each KS maximum, the features that cost fewest values first: a
    // feature is settled by this pass only when all of its bins there are fetched.
    long[] nearCost = new long[states.size()];
    List<Integer> byCost = new ArrayList<>();
    for (int f = 0; f < states.size(); f++) {
      for (long id : nearOf.get(f)) {
        if (!fetchedOf.get(f).contains(id)) {
          nearCost[f] += values(states.get(f), groupsOf.get(f).get(id));
        }
      }
      if (!nearOf.get(f).isEmpty()) {
        byCost.add(f);
      }
    }
    byCost.sort((a, b) -> Long.compare(nearCost[a], nearCost[b]));
    for (int f : byCost) {
      if (exact + nearCost[f] <= exactLimit) {
        exact += nearCost[f];
        fetchedOf.get(f).addAll(nearOf.get(f));
      }
    }
    double wanted = 0;
    long[] left = new long[states.size()];
    for (int f = 0; f < states.size(); f++) {
      left[f] = states.get(f).openValues();
      for (long id : fetchedOf.get(f)) {
        left[f] -= values(states.get(f), groupsOf.get(f).get(id));
      }
      wanted += left[f] == 0 ? 0 : target(left[f]);
    }
    double scale = Math.min(1.0, subBinBudget / Math.max(1.0, wanted));
    for (int f = 0; f < states.size(); f++) {
      State s = states.get(f);
      double subBins = target(left[f]) * scale;
      depths[f] = new int[s.open().size()];
      for (long id : orderOf.get(f)) {
        List<Integer> members = groupsOf.get(f).get(id);
        int shift = s.open().get(members.get(0)).shift();
        if (fetchedOf.get(f).contains(id)) {
          for (int i : members) {
            depths[f][i] = shift;
          }
          continue;
        }
        long groupValues = values(s, members);
        double perRegion = subBins * groupValues / Math.max(1, left[f]) / members.size();
        int depth = (int) Math.max(1, Math.min(Math.min(shift, MAX_DEPTH),
            Math.round(Math.log(Math.max(2, perRegion)) / Math.log(2))));
        boolean fetch = groupValues <= (long) members.size() << depth
            && exact + groupValues <= exactLimit;
        if (fetch) {
          exact += groupValues;
        }
        for (int i : members) {
          depths[f][i] = fetch ? shift : depth;
        }
      }
    }
    return depths;
  }

  /** Fine bins of at most this many values are fetched exactly (see {@link #plan}). */
  static final long SPARSE_BIN = 1024;

  /** Fine bins per feature fetched exactly next to the KS maximum (see {@link #plan}). */
  static final int NEAR_MAXIMUM_BINS = 4;

  /**
   * Whether fetching the bins next to the KS maximum can settle the feature in this pass: it has
   * KS regions and either no W1 regions or a D far beyond sampling noise (D·√(nm/(n+m)) ≥ 3,
   * a KS p-value below 10⁻⁷). Where D is noise, F − G hovers around zero and changes sign all
   * over, so W1 needs another pass whatever this one fetches.
   */
  static boolean nearMaximum(State s) {
    boolean ks = s.open().stream().anyMatch(Region::ks);
    boolean w1 = s.open().stream().anyMatch(Region::w1);
    double n = s.totals().n();
    double m = s.totals().m();
    return ks && (!w1 || s.ksLower() * Math.sqrt(n * m / (n + m)) >= 3);
  }

  /** The fine bins holding KS regions, by the largest |F − G| at their regions' edges, top few. */
  private static List<Long> nearestToMaximum(State s, Map<Long, List<Integer>> groups,
                                             List<Long> order) {
    double n = s.totals().n();
    double m = s.totals().m();
    Map<Long, Double> edge = new HashMap<>();
    for (long id : order) {
      double largest = -1;
      for (int i : groups.get(id)) {
        Region r = s.open().get(i);
        if (r.ks()) {
          largest = Math.max(largest, Math.max(
              Math.abs(r.refBefore() / n - r.curBefore() / m),
              Math.abs((r.refBefore() + r.refCount()) / n - (r.curBefore() + r.curCount()) / m)));
        }
      }
      if (largest >= 0) {
        edge.put(id, largest);
      }
    }
    return order.stream().filter(edge::containsKey)
        .sorted((a, b) -> Double.compare(edge.get(b), edge.get(a)))
        .limit(NEAR_MAXIMUM_BINS).toList();
  }

  private static long values(State s, List<Integer> members) {
    long values = 0;
    for (int i : members) {
      values += s.open().get(i).values();
    }
    return values;
  }

  /** At most 2^20 sub-bins per region in one pass. */
  static final int MAX_DEPTH = 20;

  private static double target(long values) {
    return Math.max(256, 2 * Math.pow(values, 0.75));
  }
}
