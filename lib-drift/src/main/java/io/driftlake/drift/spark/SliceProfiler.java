package io.driftlake.drift.spark;

import io.driftlake.drift.api.Slices;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.ProfileOptions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Tuple2;

/**
 * Profiles the whole data AND every slice of {@code driftlake.drift.slices} in ONE pass over ONE
 * scan per selection, all selections in one Spark job: each row is read once, tagged with its
 * slices (a column spec's value, each predicate's truth), and added to the whole data's profile
 * and to each of its slices' profiles. A partition emits one record per feature for the whole
 * data and one per feature holding that feature's profile in every slice the partition saw;
 * they are merged per (selection, feature) on the executors as {@link SparkProfiler} does. The
 * number of Spark jobs does not depend on the number of slices.
 *
 * <p>A column spec tracks at most {@code maxValues} values per partition; a column with more
 * values over both sides is skipped with the reason (its slices would not be complete).
 */
public final class SliceProfiler {
  private SliceProfiler() {}

  /** The whole-data and slice profiles of every selection in {@code data}, in order. */
  public static List<SlicedProfiles> profileAll(List<Dataset<Row>> data,
                                                List<FeatureSpec> features,
                                                ProfileOptions options, List<SliceSpec> slices,
                                                int maxValues) {
    String[] names = features.stream().map(FeatureSpec::name).toArray(String[]::new);
    boolean[] numeric = new boolean[names.length];
    for (int i = 0; i < names.length; i++) {
      numeric[i] = features.get(i).type() == FeatureType.NUMERIC;
    }
    int width = names.length;
    int sides = data.size();
    int categories = options.partitionCategories();
    JavaPairRDD<Integer, byte[]> partials = null;
    for (int d = 0; d < sides; d++) {
      Dataset<Row> selection = data.get(d);
      List<Column> typed = new ArrayList<>(List.of(SparkProfiler.typed(selection, features)));
      slices.forEach(s -> typed.add(s.tag(selection)));
      JavaPairRDD<Integer, byte[]> one = selection.select(typed.toArray(Column[]::new))
          .queryExecution().toRdd().toJavaRDD().mapPartitionsToPair(new Tagger(names, numeric,
              options, slices, maxValues, d * width, (sides + d) * width));
      partials = partials == null ? one : partials.union(one);
    }
    org.apache.spark.api.java.function.Function2<Serializable, Serializable, Serializable> merge =
        (a, b) -> a instanceof FeatureProfile p ? p.merge((FeatureProfile) b, categories)
            : ((SlicePartial) a).merge((SlicePartial) b, categories);
    int keys = 2 * sides * width;
    List<Tuple2<Integer, byte[]>> results =
        partials.getNumPartitions() <= SparkProfiler.DRIVER_MERGE_PARTITIONS ? partials.collect()
            : SparkProfiler.<Serializable>merged(partials, merge, Math.max(1, Math.min(keys,
                data.get(0).sparkSession().sparkContext().defaultParallelism())))
                .mapValues(SparkProfiler::freeze).collect();
    Serializable[] merged = new Serializable[keys];
    for (Tuple2<Integer, byte[]> t : results) {
      Serializable p = SparkProfiler.thaw(t._2());
      merged[t._1()] = merged[t._1()] == null ? p : call(merge, merged[t._1()], p);
    }
    return collect(merged, names, numeric, options, slices, maxValues, sides);
  }

  private static Serializable call(
      org.apache.spark.api.java.function.Function2<Serializable, Serializable, Serializable> f,
      Serializable a, Serializable b) {
    try {
      return f.call(a, b);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot merge slice profiles", e);
    }
  }

  private static List<SlicedProfiles> collect(Serializable[] merged, String[] names,
                                              boolean[] numeric, ProfileOptions options,
                                              List<SliceSpec> slices, int maxValues, int sides) {
    int width = names.length;
    // A column spec's values over every side: too many, or overflowed in a partition, skips it.
    Map<Integer, TreeSet<String>> values = new TreeMap<>();
    TreeSet<Integer> overflowed = new TreeSet<>();
    for (int k = sides * width; k < 2 * sides * width; k++) {
      SlicePartial p = (SlicePartial) merged[k];
      if (p != null) {
        overflowed.addAll(p.overflowed());
        p.profiles().keySet().forEach(key -> values.computeIfAbsent(spec(key),
            s -> new TreeSet<>()).add(key));
      }
    }
    List<Slices.SkippedSlice> skipped = new ArrayList<>();
    for (int s = 0; s < slices.size(); s++) {
      int seen = values.getOrDefault(s, new TreeSet<>()).size();
      if (overflowed.contains(s) || seen > maxValues) {
        skipped.add(new Slices.SkippedSlice(slices.get(s).spec(), String.format(
            "column has more than %d values (%s = %d); slice it with predicates instead",
            maxValues, io.driftlake.drift.config.SliceSettings.MAX_VALUES_KEY, maxValues)));
      }
    }
    List<SlicedProfiles> out = new ArrayList<>();
    for (int d = 0; d < sides; d++) {
      Map<String, FeatureProfile> whole = new LinkedHashMap<>();
      for (int i = 0; i < width; i++) {
        whole.put(names[i], finish(merged[d * width + i], names[i], numeric[i], options));
      }
      Map<String, Map<String, FeatureProfile>> bySlice = new LinkedHashMap<>();
      Map<String, SliceSpec> specs = new LinkedHashMap<>();
      for (Map.Entry<Integer, TreeSet<String>> e : values.entrySet()) {
        if (overflowed.contains(e.getKey()) || e.getValue().size() > maxValues) {
          continue;
        }
        for (String key : e.getValue()) {
          String label = key.substring(key.indexOf('\t') + 1);
          Map<String, FeatureProfile> profiles = new LinkedHashMap<>();
          for (int i = 0; i < width; i++) {
            SlicePartial p = (SlicePartial) merged[(sides + d) * width + i];
            profiles.put(names[i], finish(p == null ? null : p.profiles().get(key), names[i],
                numeric[i], options));
          }
          bySlice.put(label, profiles);
          specs.put(label, slices.get(e.getKey()));
        }
      }
      out.add(new SlicedProfiles(whole, bySlice, specs, skipped));
    }
    return out;
  }

  private static int spec(String key) {
    return Integer.parseInt(key.substring(0, key.indexOf('\t')));
  }

  /** The merged profile, empty when no row reached it; categories cut to the configured most. */
  private static FeatureProfile finish(Serializable merged, String name, boolean numeric,
                                       ProfileOptions options) {
    FeatureProfile p = merged != null ? (FeatureProfile) merged
        : numeric ? NumericProfile.empty(name) : CategoricalProfile.empty(name);
    return p instanceof CategoricalProfile c
        ? c.merge(CategoricalProfile.empty(c.feature()), options.maxCategories()) : p;
  }

  /**
   * One feature's profiles in every slice a partition (or a merge of partitions) saw, keyed
   * "spec index TAB slice name"; {@code overflowed} the column specs that met more values than
   * their limit.
   */
  record SlicePartial(TreeMap<String, FeatureProfile> profiles, TreeSet<Integer> overflowed)
      implements Serializable {
    SlicePartial merge(SlicePartial other, int categories) {
      TreeMap<String, FeatureProfile> all = new TreeMap<>(profiles);
      other.profiles().forEach((k, p) -> all.merge(k, p, (a, b) -> a.merge(b, categories)));
      TreeSet<Integer> over = new TreeSet<>(overflowed);
      over.addAll(other.overflowed());
      return new SlicePartial(all, over);
    }
  }

  /** Profiles one partition's rows: the whole data and each row's slices, in one pass. */
  private static final class Tagger
      implements PairFlatMapFunction<Iterator<InternalRow>, Integer, byte[]> {
    private final String[] names;
    private final boolean[] numeric;
    private final ProfileOptions options;
    private final List<SliceSpec> slices;
    private final int maxValues;
    private final int wholeOffset;
    private final int sliceOffset;

    Tagger(String[] names, boolean[] numeric, ProfileOptions options, List<SliceSpec> slices,
           int maxValues, int wholeOffset, int sliceOffset) {
      this.names = names;
      this.numeric = numeric;
      this.options = options;
      this.slices = slices;
      this.maxValues = maxValues;
      this.wholeOffset = wholeOffset;
      this.sliceOffset = sliceOffset;
    }

    @Override
    public Iterator<Tuple2<Integer, byte[]>> call(Iterator<InternalRow> input) {
      int width = names.length;
      PartitionProfile whole = new PartitionProfile(names, numeric, options);
      List<HashMap<UTF8String, PartitionProfile>> byValue = new ArrayList<>();
      PartitionProfile[] nullOrTrue = new PartitionProfile[slices.size()];
      TreeSet<Integer> overflowed = new TreeSet<>();
      slices.forEach(s -> byValue.add(new HashMap<>()));
      while (input.hasNext()) {
        InternalRow row = input.next();
        whole.add(row);
        for (int s = 0; s < slices.size(); s++) {
          int at = width + s;
          PartitionProfile slice;
          if (!slices.get(s).column()) {
            if (!row.getBoolean(at)) {
              continue;
            }
            slice = nullOrTrue[s] == null ? nullOrTrue[s] = profile() : nullOrTrue[s];
          } else if (row.isNullAt(at)) {
            slice = nullOrTrue[s] == null ? nullOrTrue[s] = profile() : nullOrTrue[s];
          } else {
            UTF8String value = row.getUTF8String(at);
            slice = byValue.get(s).get(value);
            if (slice == null) {
              if (byValue.get(s).size() >= maxValues) {
                overflowed.add(s); // the spec is skipped: its slices are not profiled further
                continue;
              }
              slice = profile();
              byValue.get(s).put(value.clone(), slice);
            }
          }
          slice.add(row);
        }
      }
      List<Tuple2<Integer, byte[]>> out = new ArrayList<>();
      for (int i = 0; i < width; i++) {
        out.add(new Tuple2<>(wholeOffset + i, SparkProfiler.freeze(whole.profile(i))));
        TreeMap<String, FeatureProfile> profiles = new TreeMap<>();
        for (int s = 0; s < slices.size(); s++) {
          SliceSpec spec = slices.get(s);
          if (nullOrTrue[s] != null) {
            profiles.put(s + "\t" + spec.label(null), nullOrTrue[s].profile(i));
          }
          for (Map.Entry<UTF8String, PartitionProfile> e : byValue.get(s).entrySet()) {
            profiles.put(s + "\t" + spec.label(e.getKey().toString()), e.getValue().profile(i));
          }
        }
        out.add(new Tuple2<>(sliceOffset + i,
            SparkProfiler.freeze(new SlicePartial(profiles, overflowed))));
      }
      return out.iterator();
    }

    private PartitionProfile profile() {
      return new PartitionProfile(names, numeric, options);
    }
  }
}
