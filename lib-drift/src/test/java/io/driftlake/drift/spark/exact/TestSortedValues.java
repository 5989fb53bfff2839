package io.driftlake.drift.spark.exact;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TestSortedValues {
  /** Values as (value, count) pairs in order, read from sealed values. */
  private static List<Map.Entry<Double, Long>> entries(SortedValues values) {
    List<Map.Entry<Double, Long>> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      out.add(Map.entry(Double.longBitsToDouble(values.bits(i)), values.count(i)));
    }
    return out;
  }

  @Test
  void appendedValuesComeOutDistinctAscendingWithTheirCounts() {
    SortedValues values = new SortedValues();
    for (double v : new double[] {3.5, -2.0, 3.5, Double.MIN_VALUE, -Double.MIN_VALUE, -2.0,
        -1e300, 3.5, 7.25, Double.POSITIVE_INFINITY}) {
      values.add(Double.doubleToRawLongBits(v));
    }
    assertThat(entries(values.seal())).containsExactly(Map.entry(-1e300, 1L),
        Map.entry(-2.0, 2L), Map.entry(-Double.MIN_VALUE, 1L), Map.entry(Double.MIN_VALUE, 1L),
        Map.entry(3.5, 3L), Map.entry(7.25, 1L), Map.entry(Double.POSITIVE_INFINITY, 1L));
  }

  @Test
  void mergesAndSerializationKeepEveryCountAsATreeMapDoes() throws Exception {
    Random random = new Random(11);
    TreeMap<Double, Long> expected = new TreeMap<>();
    SortedValues[] tasks = new SortedValues[4];
    for (int t = 0; t < tasks.length; t++) {
      tasks[t] = new SortedValues();
      for (int i = 0; i < 20_000; i++) {
        // Integers (many ties) and continuous values of both signs, across tasks.
        double v = i % 3 == 0 ? random.nextInt(50) - 25 : random.nextGaussian() * 1e-3;
        if (v == 0) {
          continue;
        }
        tasks[t].add(Double.doubleToRawLongBits(v));
        expected.merge(v, 1L, Long::sum);
      }
      if (t == 1) {
        tasks[t].seal(); // values appended after a seal join the sealed ones
        tasks[t].add(Double.doubleToRawLongBits(-25.0));
        expected.merge(-25.0, 1L, Long::sum);
      }
    }
    SortedValues left = serialized(tasks[0]).merge(tasks[1]);
    SortedValues right = tasks[2].merge(serialized(tasks[3]));
    SortedValues all = serialized(left).merge(right);

    assertThat(entries(all)).containsExactlyElementsOf(new ArrayList<>(expected.entrySet()));
  }

  /** Through Java serialization, as partial results travel between tasks. */
  private static SortedValues serialized(SortedValues values) throws Exception {
    var bytes = new ByteArrayOutputStream();
    try (var out = new ObjectOutputStream(bytes)) {
      out.writeObject(values);
    }
    try (var in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (SortedValues) in.readObject();
    }
  }
}
