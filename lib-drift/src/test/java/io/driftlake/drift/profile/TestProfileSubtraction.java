package io.driftlake.drift.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Taking rows out of a profile: the profile of the remaining rows, or stale, never wrong. */
class TestProfileSubtraction {
  /** A profile of these values (null = a null row), made directly, independently of subtract. */
  private static NumericProfile numeric(Double... values) {
    FineHistogram histogram = new FineHistogram();
    long nulls = 0;
    long nans = 0;
    for (Double v : values) {
      if (v == null) {
        nulls++;
      } else if (Double.isNaN(v)) {
        nans++;
      } else {
        histogram.add(v);
      }
    }
    return new NumericProfile("x", values.length, nulls, nans, histogram.toBins());
  }

  private static Double[] without(Double[] all, Double... removed) {
    List<Double> left = new ArrayList<>(Arrays.asList(all));
    for (Double r : removed) {
      assertThat(left.remove(r)).as("test data holds %s", r).isTrue();
    }
    return left.toArray(Double[]::new);
  }

  /** 1000, 1000.5, …, 1003.5 share one fine bin ([1000, 1004)); the others bins of their own. */
  private static final Double[] ALL = {1000.0, 1000.5, 1001.0, 1001.5, 1002.0, 1002.5, 1003.0,
      1003.5, 1001.0, -7.0, 0.0, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
      Double.NaN, null, null, 3.0, 3.0};

  @Test
  void removedValuesInsideTheirBinsSubtractExactly() {
    Double[] removed = {1001.0, 1002.5, -7.0, 0.0, Double.POSITIVE_INFINITY, Double.NaN, null,
        3.0};
    Subtraction s = numeric(ALL).subtract(numeric(removed));
    assertThat(s.exact()).isTrue();
    // Values are multiples of 0.5 far below 2^53: every sum is exact, so the whole profile is.
    assertThat(s.profile()).usingRecursiveComparison()
        .isEqualTo(numeric(without(ALL, removed)));
    NumericProfile left = (NumericProfile) s.profile();
    assertThat(left.rows()).isEqualTo(12);
    assertThat(left.bins()).doesNotContainKey(FineBins.key(-7.0))
        .doesNotContainKey(FineBins.INFINITY_KEY);
    assertThat(left.bins().get(FineBins.key(1000.0)).count()).isEqualTo(7);
  }

  @Test
  void aRemovedSmallestOrLargestValueOfABinStaysAsABound() {
    Double[] removed = {1000.0, 1003.5};
    Subtraction s = numeric(ALL).subtract(numeric(removed));
    assertThat(s.exact()).isTrue();
    NumericProfile left = (NumericProfile) s.profile();
    NumericProfile full = numeric(without(ALL, removed));
    long key = FineBins.key(1000.0);
    // Every other bin, count and sum equals a profile of the remaining values.
    assertThat(left).usingRecursiveComparison().ignoringFields("bins").isEqualTo(full);
    assertThat(left.bins().keySet()).isEqualTo(full.bins().keySet());
    full.bins().forEach((k, b) -> {
      if (k != key) {
        assertThat(left.bins().get(k)).isEqualTo(b);
      }
    });
    // That bin holds 1000.5 … 1003.0: the old extremes stay, as bounds.
    NumericProfile.Bin exact = full.bins().get(key);
    assertThat(exact.min()).isEqualTo(1000.5);
    assertThat(exact.max()).isEqualTo(1003.0);
    assertThat(left.bins().get(key)).isEqualTo(new NumericProfile.Bin(7, 1000.0, 1003.5,
        exact.sum(), exact.sumSquares(), false, false));
    assertThat(left.boundedBins()).isEqualTo(1);
    // One of two copies of a single-value bin: the bin still holds that value, exactly.
    Subtraction one = numeric(ALL).subtract(numeric(3.0));
    assertThat(one.exact()).isTrue();
    assertThat(one.profile()).usingRecursiveComparison().isEqualTo(numeric(without(ALL, 3.0)));
    // Every value of a bin removed: the bin is gone, nothing is unknown.
    Double[] wholeBin = {1000.0, 1000.5, 1001.0, 1001.0, 1001.5, 1002.0, 1002.5, 1003.0, 1003.5};
    Subtraction gone = numeric(ALL).subtract(numeric(wholeBin));
    assertThat(gone.profile()).usingRecursiveComparison()
        .isEqualTo(numeric(without(ALL, wholeBin)));
    // One value left, with one extreme known: that is the value, exact again.
    Subtraction single = numeric(500.0, 1000.0, 1003.5).subtract(numeric(1003.5));
    assertThat(single.profile()).usingRecursiveComparison()
        .isEqualTo(numeric(500.0, 1000.0));
  }

  @Test
  void aRemovedSmallestOrLargestValueOfTheFeatureIsStale() {
    // [1000, 1004) and [2000, 2008) hold three values each; nothing else.
    Double[] values = {1000.0, 1000.5, 1001.0, 2000.0, 2004.0, 2007.0};
    assertThat(numeric(values).subtract(numeric(1000.0)).stale())
        .isEqualTo("the removed rows held the smallest value of 'x'");
    assertThat(numeric(values).subtract(numeric(2007.0)).stale())
        .isEqualTo("the removed rows held the largest value of 'x'");
    assertThat(numeric(values).subtract(numeric(1000.0, 2007.0)).stale())
        .isEqualTo("the removed rows held the smallest and the largest value of 'x'");
    // The first bin gone altogether: the next one's min is exact.
    assertThat(numeric(values).subtract(numeric(1000.0, 1000.5, 1001.0)).profile())
        .usingRecursiveComparison().isEqualTo(numeric(2000.0, 2004.0, 2007.0));
    // A smaller value inserted in another bin: the lost min is only a bin's, not the feature's.
    Subtraction lower = numeric(values).change(numeric(999.0), numeric(1000.0));
    assertThat(((NumericProfile) lower.profile()).min()).isEqualTo(999.0);
    assertThat(((NumericProfile) lower.profile()).bins().get(FineBins.key(1000.0)).minExact())
        .isFalse();
  }

  @Test
  void aBoundMergedWithInsertedValuesStaysABoundUnlessASmallerValueCame() {
    Double[] values = {500.0, 1001.0, 1001.5, 1002.0, 3000.0};
    NumericProfile bounded = (NumericProfile) numeric(values).subtract(numeric(1001.0)).profile();
    long key = FineBins.key(1001.0);
    assertThat(bounded.bins().get(key).minExact()).isFalse();
    // 1000.5 < the bound 1001: the bin's min is 1000.5 for sure.
    NumericProfile.Bin below = bounded.merge(numeric(1000.5)).bins().get(key);
    assertThat(below.min()).isEqualTo(1000.5);
    assertThat(below.minExact()).isTrue();
    // 1001.25 > the bound: the stored values may hold a smaller one still.
    NumericProfile.Bin above = bounded.merge(numeric(1001.25)).bins().get(key);
    assertThat(above.min()).isEqualTo(1001.0);
    assertThat(above.minExact()).isFalse();
    // Removing more values keeps the bound valid; only its count and sums change.
    NumericProfile.Bin less = ((NumericProfile) bounded.subtract(numeric(1001.5)).profile())
        .bins().get(key);
    assertThat(less).isEqualTo(new NumericProfile.Bin(1, 1001.0, 1002.0, 1002.0, 1002.0 * 1002.0,
        false, true));
    assertThat(less.min()).isEqualTo(1002.0);
    assertThat(less.exactExtremes()).isTrue();
  }

  @Test
  void addedThenRemovedRowsGiveTheRemainingRowsProfile() {
    // Version 1 adds rows, version 2 deletes some old and some new ones: stored + added − removed.
    Double[] added = {1000.25, 5.0, null};
    Double[] removed = {1000.25, 1002.0, null, null};
    List<Double> both = new ArrayList<>(Arrays.asList(ALL));
    both.addAll(Arrays.asList(added));
    Subtraction s = numeric(ALL).merge(numeric(added)).subtract(numeric(removed));
    assertThat(s.profile()).usingRecursiveComparison()
        .isEqualTo(numeric(without(both.toArray(Double[]::new), removed)));
  }

  @Test
  void sumsOfArbitraryDoublesSubtractUpToRounding() {
    Double[] all = {0.1, 0.10001, 0.10002, 0.10003, 0.7, 0.70004};
    NumericProfile left = (NumericProfile) numeric(all).subtract(numeric(0.10001)).profile();
    NumericProfile full = numeric(without(all, 0.10001));
    assertThat(left.bins().keySet()).isEqualTo(full.bins().keySet());
    left.bins().forEach((k, b) -> {
      NumericProfile.Bin f = full.bins().get(k);
      assertThat(b.count()).isEqualTo(f.count());
      assertThat(b.min()).isEqualTo(f.min());
      assertThat(b.max()).isEqualTo(f.max());
      assertThat(Math.abs(b.sum() - f.sum())).isLessThanOrEqualTo(4 * Math.ulp(f.sum()));
    });
    assertThat(left.mean()).isCloseTo(full.mean(), org.assertj.core.data.Offset.offset(1e-15));
  }

  @Test
  void aKllSketchCannotSubtractAndIsDropped() {
    NumericProfile p = numeric(ALL);
    byte[] kll = org.apache.datasketches.kll.KllDoublesSketch.newHeapInstance(200).toByteArray();
    NumericProfile sketched = new NumericProfile("x", p.rows(), p.nulls(), p.nans(), p.bins(), kll);
    assertThat(((NumericProfile) sketched.subtract(numeric(3.0)).profile()).kll()).isNull();
    assertThat(((NumericProfile) sketched.subtract(numeric()).profile()).kll()).isEqualTo(kll);
  }

  @Test
  void rowsTheProfileNeverCountedAreAnError() {
    assertThatThrownBy(() -> numeric(ALL).subtract(numeric(2.0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Feature 'x': cannot remove 1 values of fine bin 131073 "
            + "(upper edge 2.015625) from a profile that holds 0 there");
    assertThatThrownBy(() -> numeric(1.0).subtract(numeric(1.0, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Feature 'x': cannot remove 2 rows (1 null, 0 NaN) from a profile of 1 rows "
            + "(0 null, 0 NaN)");
  }

  private static CategoricalProfile categorical(String... values) {
    TreeMap<String, Long> counts = new TreeMap<>();
    long nulls = 0;
    org.apache.datasketches.hll.HllSketch hll = Sketches.newHll();
    for (String v : values) {
      if (v == null) {
        nulls++;
      } else {
        counts.merge(v, 1L, Long::sum);
        hll.update(v);
      }
    }
    return new CategoricalProfile("c", values.length, nulls, counts, 0,
        counts.isEmpty() ? null : hll.toUpdatableByteArray(), null);
  }

  @Test
  void categoryCountsSubtractExactlyAndTheHllSketchIsRebuilt() {
    String[] all = {"a", "a", "b", "c", null, "d", "d"};
    Subtraction s = categorical(all).subtract(categorical("a", "c", null, "d", "d"));
    CategoricalProfile left = (CategoricalProfile) s.profile();
    CategoricalProfile full = categorical("a", "b");
    assertThat(left.counts()).isEqualTo(full.counts()).containsOnlyKeys("a", "b");
    assertThat(left.rows()).isEqualTo(2);
    assertThat(left.nulls()).isZero();
    // The sketch counts the remaining categories only (c and d are gone).
    assertThat(Sketches.hllEstimate(left.distinctSketch()))
        .isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(left.distinctSketch()).isEqualTo(full.distinctSketch());
    assertThat(((CategoricalProfile) categorical("a").subtract(categorical("a")).profile())
        .distinctSketch()).isNull();
    assertThatThrownBy(() -> categorical(all).subtract(categorical("b", "b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Feature 'c': cannot remove 2 values 'b' from a profile that counts 1");
  }

  @Test
  void aCappedTopKCannotSubtract() {
    CategoricalProfile capped = categorical("a", "a", "b", "c").merge(categorical("d"), 2);
    assertThat(capped.capped()).isTrue();
    assertThat(capped.subtract(categorical("a")).stale()).isEqualTo("the categories of 'c' are "
        + "capped (a top-k with 2 values folded into other), which cannot subtract");
  }

  @Test
  void anUpdatedRowWhoseValueStaysKeepsItsBinsExtremes() {
    // An UPDATE of another column: the old row (1000.0, a bin's min) is deleted, the new row with
    // the same value inserted; the min is still there.
    Subtraction same = numeric(ALL).change(numeric(1000.0), numeric(1000.0));
    assertThat(same.profile()).usingRecursiveComparison().isEqualTo(numeric(ALL));
    // Two of the bin's values rewritten, each to itself: the removed bin's min (1000) was removed
    // at most once (its other value is 1003.5), and the stored and inserted bins hold it twice.
    Subtraction two = numeric(ALL).change(numeric(1000.0, 1003.5), numeric(1000.0, 1003.5));
    assertThat(two.profile()).usingRecursiveComparison().isEqualTo(numeric(ALL));
    // The min moved: its old value may be gone, and stays as a bound.
    NumericProfile moved = (NumericProfile) numeric(ALL).change(numeric(1000.25),
        numeric(1000.0)).profile();
    assertThat(moved.bins().get(FineBins.key(1000.0)).min()).isEqualTo(1000.0);
    assertThat(moved.bins().get(FineBins.key(1000.0)).minExact()).isFalse();
  }
}
