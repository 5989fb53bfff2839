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

  /** One fine bin: how many values, their extremes, and the sums of the finite ones. */
  public record Bin(long count, double min, double max, double sum, double sumSquares)
      implements java.io.Serializable {
    public Bin merge(Bin other) {
      return new Bin(count + other.count, Math.min(min, other.min), Math.max(max, other.max),
          sum + other.sum, sumSquares + other.sumSquares);
    }

    /** True when every value in the bin is the same number. */
    public boolean singleValue() {
      return Double.compare(min, max) == 0;
    }
  }

  public NumericProfile {
    bins = Collections.unmodifiableSortedMap(new TreeMap<>(bins));
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

  public double min() {
    return bins.isEmpty() ? Double.NaN : bins.get(bins.firstKey()).min();
  }

  public double max() {
    return bins.isEmpty() ? Double.NaN : bins.get(bins.lastKey()).max();
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
}
