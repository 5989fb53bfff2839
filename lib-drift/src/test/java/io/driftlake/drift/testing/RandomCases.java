package io.driftlake.drift.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Seeded random inputs for property tests: the same cases on every run, so a failure (whose
 * assertion message prints its inputs) repeats as is. Draws reach every magnitude, not only the
 * large values a uniform draw over a wide range almost always gives.
 */
public final class RandomCases {
  private final SplittableRandom random;

  private RandomCases(long seed) {
    random = new SplittableRandom(seed);
  }

  /** The {@code edges} first, then {@code tries} draws of {@code draw} from {@code seed}. */
  public static <T> List<T> of(List<T> edges, long seed, int tries,
                               Function<RandomCases, T> draw) {
    RandomCases r = new RandomCases(seed);
    List<T> cases = new ArrayList<>(edges);
    for (int i = 0; i < tries; i++) {
      cases.add(draw.apply(r));
    }
    return cases;
  }

  /** Uniform in [lo, hi], both included. */
  public long between(long lo, long hi) {
    if (lo > hi) {
      throw new IllegalArgumentException("between(" + lo + ", " + hi + "): lo > hi");
    }
    return lo + random.nextLong(hi - lo + 1);
  }

  /** Uniform in [lo, hi], both included. */
  public int between(int lo, int hi) {
    return (int) between((long) lo, hi);
  }

  /** Log-uniform in [lo, hi] (lo ≥ 1): every order of magnitude equally often. */
  public long magnitude(long lo, long hi) {
    double x = Math.exp(uniform(Math.log(lo), Math.log(hi)));
    return Math.max(lo, Math.min(hi, Math.round(x)));
  }

  /** Uniform in [lo, hi). */
  public double uniform(double lo, double hi) {
    return lo + (hi - lo) * random.nextDouble();
  }

  /** Log-uniform in [lo, hi) (0 < lo < hi). */
  public double logUniform(double lo, double hi) {
    return Math.exp(uniform(Math.log(lo), Math.log(hi)));
  }

  /** One of {@code choices}, each as likely. */
  @SafeVarargs
  public final <T> T pick(T... choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** A number in [0, n), each as likely: to choose between ways of drawing. */
  public int choose(int n) {
    return random.nextInt(n);
  }
}
