package io.driftlake.drift.estimate;

/**
 * The cumulative F − G walk that exact and approximate KS and W1 share: cells (fine bins,
 * sub-bins or distinct values) visited in value order, each with both sides' counts, keeping the
 * counts below the current cell. F = reference count / {@code n}, G = current count / {@code m};
 * for W1, n and m are the finite counts and the walk starts after the −∞ values.
 *
 * <p>Usage: {@link #add} a cell, then ask what F − G does at its lower boundary
 * ({@link #before}), at its upper one ({@link #gapAfter}), at most inside it
 * ({@link #largestInside}), and whether it keeps one sign across it ({@link #keepsSign}).
 */
final class EcdfWalk {
  private final long n;
  private final long m;
  private long refBefore;
  private long curBefore;
  private long ref;
  private long cur;

  /** A walk whose first cell has {@code refBefore} and {@code curBefore} values below it. */
  EcdfWalk(long n, long m, long refBefore, long curBefore) {
    this.n = n;
    this.m = m;
    this.refBefore = refBefore;
    this.curBefore = curBefore;
  }

  /** Moves on to the next cell, holding {@code ref} and {@code cur} values. */
  EcdfWalk add(long refCount, long curCount) {
    refBefore += ref;
    curBefore += cur;
    ref = refCount;
    cur = curCount;
    return this;
  }

  long refBefore() {
    return refBefore;
  }

  long curBefore() {
    return curBefore;
  }

  /** F − G just below the cell. */
  double before() {
    return refBefore / (double) n - curBefore / (double) m;
  }

  /** |F − G| at the cell's upper boundary (after all its values). */
  double gapAfter() {
    return Math.abs((refBefore + ref) / (double) n - (curBefore + cur) / (double) m);
  }

  /**
   * The largest |F − G| can be inside the cell: all its reference values first, or all its
   * current ones.
   */
  double largestInside() {
    return Math.max((refBefore + ref) / (double) n - curBefore / (double) m,
        (curBefore + cur) / (double) m - refBefore / (double) n);
  }

  /**
   * Whether F − G keeps one sign across the cell, exactly (128-bit products): it lies in
   * [D − q, D + p] for D = {@link #before} and the cell's shares p, q.
   */
  boolean keepsSign() {
    return compareProducts(refBefore, m, curBefore + cur, n) >= 0
        || compareProducts(refBefore + ref, m, curBefore, n) <= 0;
  }

  /**
   * ∫(F − G) over a cell of {@code width} ending at {@code hi} with per-side sums of
   * (hi − value) {@code refArea} · n and {@code curArea} · m, as an absolute value: the cell's
   * exact W1 contribution when F − G keeps one sign there.
   */
  double signedArea(double width, double refArea, double curArea) {
    return Math.abs(before() * width + refArea - curArea);
  }

  /** Sign of a·b − c·d for non-negative longs, exact (128-bit products). */
  static int compareProducts(long a, long b, long c, long d) {
    long high = Math.multiplyHigh(a, b);
    long otherHigh = Math.multiplyHigh(c, d);
    if (high != otherHigh) {
      return Long.compare(high, otherHigh);
    }
    return Long.compareUnsigned(a * b, c * d);
  }
}
