package io.driftlake.drift.estimate;

import io.driftlake.drift.profile.FineBins;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the region of a value among one feature's regions in a few array reads: the value's
 * sign, exponent and top mantissa bits pick its fine bin directly (a page per octave, as in the
 * profile histograms), and only when that fine bin holds regions is the value's magnitude at the
 * regions' shift searched among them. All regions of one fine bin share one shift.
 */
public final class RegionIndex {
  private static final int SLOTS = FineBins.PER_OCTAVE;

  /**
   * By sign and exponent, then by slot: 1 + the group of the fine bin; −(1 + its region) when the
   * fine bin is one region; 0 for none.
   */
  private final int[][] pages = new int[1 << 12][];
  private final int[] groupShift;
  private final long[][] groupMagnitudes;
  private final int[][] groupRegions;
  /**
   * For a group below the fine shift: its magnitudes within the fine bin cut into cells (one per
   * 2^coarse magnitudes), each holding 1 + the first of the group's regions in it, or 0: a value
   * outside every region is mostly turned away by one read, and one inside found after a
   * comparison or two instead of a binary search.
   */
  private final char[][] groupCells;
  private final int[] groupCoarse;

  /**
   * A group has at most 2^12 cells (8 KiB), and all groups together at most 2^22 (8 MiB); a
   * group beyond that, or with more regions than a cell can name, is searched.
   */
  private static final int CELL_BITS = 12;
  private static final long MAX_CELLS = 1L << 22;

  /** Indexes {@code regions} (of one feature); a value's region is its position in that list. */
  public RegionIndex(List<Region> regions) {
    Map<Long, List<Integer>> groups = new HashMap<>();
    List<Long> order = new ArrayList<>();
    for (int i = 0; i < regions.size(); i++) {
      Region r = regions.get(i);
      long fine = r.fineMagnitude();
      long id = r.negative() ? ~fine : fine;
      groups.computeIfAbsent(id, k -> {
        order.add(k);
        return new ArrayList<>();
      }).add(i);
    }
    groupShift = new int[order.size()];
    groupMagnitudes = new long[order.size()][];
    groupRegions = new int[order.size()][];
    groupCells = new char[order.size()][];
    groupCoarse = new int[order.size()];
    long cellCount = 0;
    for (int g = 0; g < order.size(); g++) {
      List<Integer> members = groups.get(order.get(g));
      members.sort((a, b) -> Long.compare(regions.get(a).magnitude(), regions.get(b).magnitude()));
      Region first = regions.get(members.get(0));
      groupShift[g] = first.shift();
      groupMagnitudes[g] = new long[members.size()];
      groupRegions[g] = new int[members.size()];
      for (int j = 0; j < members.size(); j++) {
        Region r = regions.get(members.get(j));
        if (r.shift() != first.shift()) {
          throw new IllegalArgumentException(String.format(
              "Regions of one fine bin must share a shift: %d and %d", first.shift(), r.shift()));
        }
        if (j > 0 && r.magnitude() == groupMagnitudes[g][j - 1]) {
          throw new IllegalArgumentException("Two regions with magnitude " + r.magnitude());
        }
        groupMagnitudes[g][j] = r.magnitude();
        groupRegions[g][j] = members.get(j);
      }
      int within = FineBins.SHIFT - first.shift();
      int cellBits = Math.min(within, CELL_BITS);
      if (within > 0 && cellCount + (1L << cellBits) <= MAX_CELLS
          && members.size() < Character.MAX_VALUE) {
        int coarse = within - cellBits;
        char[] cells = new char[1 << cellBits];
        long mask = (1L << within) - 1;
        // Backwards, so each cell keeps the first region in it.
        for (int j = members.size() - 1; j >= 0; j--) {
          cells[(int) ((groupMagnitudes[g][j] & mask) >>> coarse)] = (char) (j + 1);
        }
        cellCount += cells.length;
        groupCells[g] = cells;
        groupCoarse[g] = coarse;
      }
      long fine = first.fineMagnitude();
      int page = (int) (fine >>> 7) | (first.negative() ? 0x800 : 0);
      if (pages[page] == null) {
        pages[page] = new int[SLOTS];
      }
      // A fine bin that is one region is found without its group: −(region + 1).
      pages[page][(int) (fine & (SLOTS - 1))] = within == 0 ? -(groupRegions[g][0] + 1) : g + 1;
    }
  }

  /** The region holding the value with raw bits {@code bits}, or −1. */
  public int find(long bits) {
    if ((bits & Long.MAX_VALUE) == 0) {
      return -1; // ±0 has a bin of its own, never a region
    }
    int[] page = pages[(int) (bits >>> 52)];
    if (page == null) {
      return -1;
    }
    int slot = page[(int) (bits >>> FineBins.SHIFT) & (SLOTS - 1)];
    if (slot <= 0) {
      return -slot - 1;
    }
    int g = slot - 1;
    long magnitude = (bits & Long.MAX_VALUE) >>> groupShift[g];
    long[] magnitudes = groupMagnitudes[g];
    char[] cells = groupCells[g];
    int at;
    if (cells != null) {
      int cell = cells[(int) ((magnitude & ((1L << (FineBins.SHIFT - groupShift[g])) - 1))
          >>> groupCoarse[g])];
      if (cell == 0) {
        return -1;
      }
      at = cell - 1;
      while (magnitudes[at] < magnitude) {
        if (++at == magnitudes.length) {
          return -1;
        }
      }
      if (magnitudes[at] != magnitude) {
        return -1;
      }
    } else {
      at = java.util.Arrays.binarySearch(magnitudes, magnitude);
    }
    return at >= 0 ? groupRegions[g][at] : -1;
  }
}
