package io.driftlake.drift.profile;

import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * The sketches a profile may carry, in Apache DataSketches' serialized forms — the same library
 * and formats Spark's {@code hll_*} and {@code kll_sketch_*_double} SQL functions use, so a
 * stored profile's sketch can be queried with them.
 */
public final class Sketches {
  /** log2 of the HLL sketch's register count: ≈ 1.6 % relative standard error. */
  public static final int HLL_LG_K = 12;

  private Sketches() {}

  public static HllSketch newHll() {
    return new HllSketch(HLL_LG_K, TgtHllType.HLL_8);
  }

  public static double hllEstimate(byte[] sketch) {
    return HllSketch.heapify(sketch).getEstimate();
  }

  /** The union of two serialized HLL sketches; either may be null (then the other is returned). */
  public static byte[] hllUnion(byte[] a, byte[] b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    Union union = new Union(HLL_LG_K);
    union.update(HllSketch.heapify(a));
    union.update(HllSketch.heapify(b));
    return union.getResult(TgtHllType.HLL_8).toUpdatableByteArray();
  }

  /** The merge of two serialized KLL doubles sketches; either may be null. */
  public static byte[] kllMerge(byte[] a, byte[] b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    KllDoublesSketch merged = KllDoublesSketch.heapify(Memory.wrap(a));
    merged.merge(KllDoublesSketch.heapify(Memory.wrap(b)));
    return merged.toByteArray();
  }

  /** The rank-r quantile (0 ≤ r ≤ 1) of a serialized KLL sketch. */
  public static double kllQuantile(byte[] sketch, double rank) {
    return KllDoublesSketch.heapify(Memory.wrap(sketch)).getQuantile(rank);
  }
}
