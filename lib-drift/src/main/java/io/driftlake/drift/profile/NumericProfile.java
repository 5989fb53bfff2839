package io.driftlake.drift.profile;

import io.driftlake.drift.feature.FeatureType;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Profile of a numeric feature: null and NaN counts and a fine histogram over {@link FineBins}
 * keys, each bin with its count, min, max and (finite) sum and sum of squares, from which come
 * count, ±∞ counts, min, max, {@link #mean()} and {@link #variance()}; optionally a KLL quantile
 * sketch ({@code kll}, serialized as Spark's {@code kll_sketch_agg_double} does; null when not
 * asked for).
 */
public record NumericProfile(String feature, long rows, long nulls, long nans,
                             SortedMap<Long, Bin> bins, byte[] kll) implements FeatureProfile {

  /**
   * One fine bin: how many values, their extremes, and the sums of the finite ones. A bin
   * profiled from data knows its min and max exactly; a bin that lost its min (max) to a
   * {@linkplain #change subtraction}, with no copy of it known to remain, keeps the old one as
   * a bound ({@code minExact} false: every value is ≥ {@code min}, and the bin's true min may be
   * larger; likewise {@code maxExact}). Both always lie inside the bin's own edges. A bin of one
   * value with one exact extreme, or whose two extremes are equal, is exact (the value is known).
   */
  public record Bin(long count, double min, double max, double sum, double sumSquares,
                    boolean minExact, boolean maxExact) implements java.io.Serializable {
    public Bin {
      if ((!minExact || !maxExact) && (Double.compare(min, max) == 0
          || count == 1 && (minExact || maxExact))) {
        // min ≤ every value ≤ max with min = max, or one value that an exact extreme names.
        double value = minExact ? min : max;
        min = value;
        max = value;
        minExact = true;
        maxExact = true;
      }
    }

    /** A bin whose min and max are exact. */
    public Bin(long count, double min, double max, double sum, double sumSquares) {
      this(count, min, max, sum, sumSquares, true, true);
    }

    /**
     * Both bins' values: the smaller min, exact when it is an exact one (the other side's values
     * are all ≥ its own bound, so no smaller value hides there); likewise the max.
     */
    public Bin merge(Bin other) {
      int lower = Double.compare(min, other.min);
      int upper = Double.compare(max, other.max);
      return new Bin(count + other.count, Math.min(min, other.min), Math.max(max, other.max),
          sum + other.sum, sumSquares + other.sumSquares,
          lower < 0 ? minExact : lower > 0 ? other.minExact : minExact || other.minExact,
          upper > 0 ? maxExact : upper < 0 ? other.maxExact : maxExact || other.maxExact);
    }

    /** True when every value in the bin is the same number. */
    public boolean singleValue() {
      return Double.compare(min, max) == 0;
    }

    /** True when its min and max are the values' own (not bounds kept after a subtraction). */
    public boolean exactExtremes() {
      return minExact && maxExact;
    }
  }

  public NumericProfile {
    bins = Collections.unmodifiableSortedMap(new TreeMap<>(bins));
    if (!bins.isEmpty() && (!bins.get(bins.firstKey()).minExact()
        || !bins.get(bins.lastKey()).maxExact())) {
      throw new IllegalArgumentException(String.format("Profile of '%s': its min and max must "
          + "be exact, fine bins %d and %d keep bounds", feature, bins.firstKey(),
          bins.lastKey()));
    }
  }

  public NumericProfile(String feature, long rows, long nulls, long nans,
                        SortedMap<Long, Bin> bins) {
    this(feature, rows, nulls, nans, bins, null);
  }

  public static NumericProfile empty(String feature) {
    return new NumericProfile(feature, 0, 0, 0, new TreeMap<>());
  }

  @Override
  public FeatureType type() {
    return FeatureType.NUMERIC;
  }

  @Override
  public long valid() {
    return bins.values().stream().mapToLong(Bin::count).sum();
  }

  public long positiveInfinities() {
    Bin bin = bins.get(FineBins.INFINITY_KEY);
    return bin == null ? 0 : bin.count();
  }

  public long negativeInfinities() {
    Bin bin = bins.get(-FineBins.INFINITY_KEY);
    return bin == null ? 0 : bin.count();
  }

  /** The smallest value, exact (a profile's first bin always knows its min). */
  public double min() {
    return bins.isEmpty() ? Double.NaN : bins.get(bins.firstKey()).min();
  }

  /** The largest value, exact (a profile's last bin always knows its max). */
  public double max() {
    return bins.isEmpty() ? Double.NaN : bins.get(bins.lastKey()).max();
  }

  /** How many fine bins keep only a bound of their min or max. */
  public long boundedBins() {
    return bins.values().stream().filter(b -> !b.exactExtremes()).count();
  }

  public long finiteCount() {
    return valid() - positiveInfinities() - negativeInfinities();
  }

  /** Mean of the finite values; NaN when there are none. */
  public double mean() {
    long n = finiteCount();
    return n == 0 ? Double.NaN : finiteSum() / n;
  }

  /**
   * Population variance (ddof 0) of the finite values; NaN when there are none. The spread of
   * the fine bins' means is computed around the mean, so it keeps its digits; the spread within
   * a bin comes from its sum of squares, and keeps only about 16 − 2·log10(|mean| / spread)
   * digits: that matters only when most values share a few fine bins far from 0 (e.g. 5 digits
   * for values 1e6 + [0, 10)).
   */
  public double variance() {
    long n = finiteCount();
    if (n == 0) {
      return Double.NaN;
    }
    double mean = mean();
    double squares = 0;
    for (Map.Entry<Long, Bin> e : bins.entrySet()) {
      if (Math.abs(e.getKey()) == FineBins.INFINITY_KEY) {
        continue;
      }
      Bin b = e.getValue();
      double binMean = b.sum() / b.count();
      double within = b.singleValue() ? 0 : Math.max(0, b.sumSquares() - b.sum() * binMean);
      squares += within + b.count() * (binMean - mean) * (binMean - mean);
    }
    return squares / n;
  }

  private double finiteSum() {
    return bins.values().stream().mapToDouble(Bin::sum).sum();
  }

  @Override
  public NumericProfile merge(FeatureProfile other, int maxCategories) {
    return merge(FeatureProfile.sameType(this, other, NumericProfile.class));
  }

  public NumericProfile merge(NumericProfile other) {
    TreeMap<Long, Bin> merged = new TreeMap<>(bins);
    for (Map.Entry<Long, Bin> e : other.bins.entrySet()) {
      merged.merge(e.getKey(), e.getValue(), Bin::merge);
    }
    // A sketch covers the rows of its own profile: merged with rows profiled without one, it
    // would miss them, so the merge has none (a later run that asks for one profiles again).
    boolean complete = (kll != null || rows == 0) && (other.kll != null || other.rows == 0);
    return new NumericProfile(feature, rows + other.rows, nulls + other.nulls, nans + other.nans,
        merged, complete ? Sketches.kllMerge(kll, other.kll) : null);
  }

  /** This profile without the rows {@code removed} profiles: {@link #change} with no inserts. */
  public Subtraction subtract(NumericProfile removed) {
    return change(empty(feature), removed);
  }

  /**
   * This profile plus the rows {@code inserted} profiles minus those {@code removed} profiles
   * (rows this profile or {@code inserted} counted: a removed value in no bin of theirs, or more
   * of them than the bin holds, is an error naming the feature and bin). Counts subtract
   * exactly, and a bin left empty disappears; a bin's sums subtract up to rounding. A bin's min
   * stays exact when no removed value equalled it, or when more copies of it are known to be
   * left than can have been removed (a side whose bin holds one value has that many copies, else
   * at least one; a removed bin holding two values or more removed at most count − 1 copies of
   * its min) — as when an UPDATE rewrote other columns of a row, whose old and new value are the
   * same; likewise its max. Otherwise the bin keeps its old min (max) as a bound, which every
   * remaining value still respects ({@link Bin#minExact}). The profile's own min and max stay
   * exact: when the first remaining bin's min (the last one's max) is only a bound, the result
   * is {@linkplain Subtraction#stale stale}. The KLL sketch cannot subtract: once rows are
   * removed the result has none.
   */
  @Override
  public Subtraction change(FeatureProfile inserted, FeatureProfile removed, int maxCategories) {
    return change(FeatureProfile.sameType(this, inserted, NumericProfile.class),
        FeatureProfile.sameType(this, removed, NumericProfile.class));
  }

  public Subtraction change(NumericProfile inserted, NumericProfile removed) {
    long r = rows + inserted.rows;
    long n = nulls + inserted.nulls;
    long z = nans + inserted.nans;
    if (removed.rows > r || removed.nulls > n || removed.nans > z) {
      throw new IllegalArgumentException(String.format("Feature '%s': cannot remove %d rows "
          + "(%d null, %d NaN) from a profile of %d rows (%d null, %d NaN)", feature,
          removed.rows, removed.nulls, removed.nans, r, n, z));
    }
    TreeMap<Long, Bin> left = new TreeMap<>(bins);
    inserted.bins.forEach((k, b) -> left.merge(k, b, Bin::merge));
    for (Map.Entry<Long, Bin> e : removed.bins.entrySet()) {
      long key = e.getKey();
      Bin b = left.get(key);
      Bin d = e.getValue();
      if (b == null || b.count() < d.count()) {
        throw new IllegalArgumentException(String.format("Feature '%s': cannot remove %d values "
            + "of fine bin %d (upper edge %s) from a profile that holds %d there", feature,
            d.count(), key, FineBins.upperEdge(key), b == null ? 0 : b.count()));
      }
      long count = b.count() - d.count();
      if (count == 0) {
        left.remove(key);
        continue;
      }
      Bin old = bins.get(key);
      Bin added = inserted.bins.get(key);
      left.put(key, new Bin(count, b.min(), b.max(), b.sum() - d.sum(),
          b.sumSquares() - d.sumSquares(), b.minExact() && keeps(b.min(), old, added, d),
          b.maxExact() && keeps(b.max(), old, added, d)));
    }
    if (!left.isEmpty() && (!left.firstEntry().getValue().minExact()
        || !left.lastEntry().getValue().maxExact())) {
      boolean smallest = !left.firstEntry().getValue().minExact();
      boolean largest = !left.lastEntry().getValue().maxExact();
      return Subtraction.stale(String.format("the removed rows held the %s value of '%s'",
          smallest && largest ? "smallest and the largest" : smallest ? "smallest" : "largest",
          feature));
    }
    boolean sketched = (kll != null || rows == 0) && (inserted.kll != null || inserted.rows == 0);
    return Subtraction.exact(new NumericProfile(feature, r - removed.rows, n - removed.nulls,
        z - removed.nans, left,
        removed.rows == 0 && sketched ? Sketches.kllMerge(kll, inserted.kll) : null));
  }

  /**
   * True when the extreme {@code value} of a bin (its min or max over the stored and inserted
   * values) is still there once the {@code removed} bin's values are taken out.
   */
  private static boolean keeps(double value, Bin stored, Bin inserted, Bin removed) {
    if (Double.compare(removed.min(), value) != 0 && Double.compare(removed.max(), value) != 0) {
      return true;
    }
    long removedAtMost = removed.singleValue() ? removed.count() : removed.count() - 1;
    return copies(value, stored) + copies(value, inserted) > removedAtMost;
  }

  /** Copies of {@code value} that a bin surely holds. */
  private static long copies(double value, Bin bin) {
    if (bin == null) {
      return 0;
    }
    if (bin.singleValue()) {
      return Double.compare(bin.min(), value) == 0 ? bin.count() : 0;
    }
    return bin.minExact() && Double.compare(bin.min(), value) == 0
        || bin.maxExact() && Double.compare(bin.max(), value) == 0 ? 1 : 0;
  }
}
