package io.driftlake.bench;

import io.driftlake.jobs.lake.Lake;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The bench's clock: each step's median over repeated runs, the driver heap it leaves behind,
 * and ratios to a scan run beside the step (paired), printed as they come.
 */
final class Timings {
  private final Lake lake;
  private final int repeat;
  private final Map<String, Double> seconds = new LinkedHashMap<>();
  private long retainedMaxMib;

  Timings(Lake lake, int repeat) {
    this.lake = lake;
    this.repeat = repeat;
  }

  /** The recorded steps' median seconds, in the order they ran. */
  Map<String, Double> seconds() {
    return seconds;
  }

  /** The largest driver heap after GC after any step, in MiB. */
  long retainedMaxMib() {
    return retainedMaxMib;
  }

  <T> T time(String step, Supplier<T> work) {
    return time(step, true, repeat, work);
  }

  <T> T time(String step, boolean recorded, Supplier<T> work) {
    return time(step, recorded, recorded ? repeat : 1, work);
  }

  /**
   * Runs a step {@code times} times and keeps the median time: one run on a small shared
   * machine varies by ±15 %.
   */
  <T> T time(String step, boolean recorded, int times, Supplier<T> work) {
    lake.spark().sparkContext().setJobDescription("bench: " + step);
    T result = null;
    double[] runs = new double[times];
    long retained = 0;
    for (int i = 0; i < runs.length; i++) {
      long start = System.nanoTime();
      result = work.get();
      runs[i] = (System.nanoTime() - start) / 1e9;
      // What the driver still holds once the step is done (results included), after a full
      // GC: with profiles of a fixed size this must not grow with N.
      System.gc();
      retained = Math.max(retained, java.lang.management.ManagementFactory.getMemoryMXBean()
          .getHeapMemoryUsage().getUsed() >> 20);
    }
    retainedMaxMib = Math.max(retainedMaxMib, retained);
    double[] sorted = runs.clone();
    java.util.Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    System.out.printf(Locale.ROOT, "  %-40s %8.2f s   driver heap after GC %5d MiB   runs %s%n",
        step, median, retained, java.util.Arrays.stream(runs)
            .mapToObj(r -> String.format(Locale.ROOT, "%.2f", r)).toList());
    if (recorded) {
      seconds.put(step, median);
    }
    return result;
  }

  /**
   * The median over {@code repeat} rounds of {@code work}'s time divided by the time of
   * {@code scan} run right beside it (first before it, then after it, alternately, so that a
   * drift of the machine's speed within a round favours neither).
   */
  double paired(String step, Supplier<Object> scan, Supplier<Object> work) {
    return paired(step, "its scans", "scan", scan, work);
  }

  double paired(String step, String against, String unit, Supplier<Object> scan,
                        Supplier<Object> work) {
    double[] ratios = new double[repeat];
    List<String> rounds = new ArrayList<>();
    for (int i = 0; i < repeat; i++) {
      double s;
      double w;
      if (i % 2 == 0) {
        s = seconds(scan);
        w = seconds(work);
      } else {
        w = seconds(work);
        s = seconds(scan);
      }
      ratios[i] = w / s;
      rounds.add(String.format(Locale.ROOT, "%.2f/%.2f", w, s));
    }
    double[] sorted = ratios.clone();
    java.util.Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    System.out.printf(Locale.ROOT, "  %-40s %8.2f x %s, paired runs (step/%s s) %s%n",
        step, median, against, unit, rounds);
    return median;
  }

  private static double seconds(Supplier<?> work) {
    long start = System.nanoTime();
    work.get();
    return (System.nanoTime() - start) / 1e9;
  }
}
