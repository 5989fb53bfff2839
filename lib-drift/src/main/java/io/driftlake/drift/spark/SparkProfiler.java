package io.driftlake.drift.spark;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.ProfileOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.Tuple2;

/**
 * Profiles every feature of a selection in ONE pass over ONE scan: each partition walks its data
 * once — a column vector at a time when the selection is a bare columnar scan
 * ({@link ColumnarScan}), else Spark's internal rows — and builds every feature's fine histogram
 * (arrays indexed by the {@link FineBins} bit pattern) or category counts; the partitions' profiles are
 * merged per feature on the executors (a shuffle of one small record per feature and partition,
 * never one per row), and the driver receives one profile per feature, whatever the number of
 * rows or partitions.
 */
public final class SparkProfiler {
  /** Up to this many input partitions, the partitions' profiles are merged on the driver. */
  static final int DRIVER_MERGE_PARTITIONS = 4;

  private SparkProfiler() {}

  public static Map<String, FeatureProfile> profile(Dataset<Row> data, List<FeatureSpec> features) {
    return profile(data, features, ProfileOptions.DEFAULT);
  }

  /**
   * Profiles every feature of {@code data} in one scan. Categorical features keep at most
   * {@code options.maxCategories()} categories (the most frequent; the rest is one "other" count)
   * and always carry an HLL distinct-count sketch; numeric features carry a KLL sketch when
   * {@code options.kll()}.
   */
  public static Map<String, FeatureProfile> profile(Dataset<Row> data, List<FeatureSpec> features,
                                                    ProfileOptions options) {
    return profileAll(List.of(data), features, options).get(0);
  }

  /**
   * Profiles several selections in ONE Spark job, each in one scan of its own: their partitions
   * are tasks of one stage and their profiles are merged per (selection, feature) in one reduce,
   * so no core idles between selections. The profiles come back in the order of {@code data}.
   */
  public static List<Map<String, FeatureProfile>> profileAll(List<Dataset<Row>> data,
                                                             List<FeatureSpec> features,
                                                             ProfileOptions options) {
    if (features.isEmpty()) {
      return data.stream().map(d -> Map.<String, FeatureProfile>of()).toList();
    }
    String[] names = new String[features.size()];
    boolean[] numeric = new boolean[features.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = features.get(i).name();
      numeric[i] = features.get(i).type() == FeatureType.NUMERIC;
    }
    int width = names.length;
    int categories = options.partitionCategories();
    JavaPairRDD<Integer, byte[]> partials = null;
    for (int d = 0; d < data.size(); d++) {
      int offset = d * width;
      Dataset<Row> selection = data.get(d);
      JavaPairRDD<Integer, byte[]> one = columnar(selection, names, numeric)
          .map(scan -> scan.batches().mapPartitionsToPair(new BatchProfiler(names, numeric,
              options, scan.ordinals(), scan.kinds(), offset)))
          .orElseGet(() -> rows(selection, features, names, numeric, options, offset));
      partials = partials == null ? one : partials.union(one);
    }
    FeatureProfile[][] merged = new FeatureProfile[data.size()][width];
    for (FeatureProfile[] side : merged) {
      for (int i = 0; i < width; i++) {
        side[i] = numeric[i] ? NumericProfile.empty(names[i]) : CategoricalProfile.empty(names[i]);
      }
    }
    // Merged per feature on the executors: the driver receives one profile per feature, so
    // neither its memory nor spark.driver.maxResultSize grows with the number of partitions.
    // In as many reduce tasks as the cluster has cores, not one per input partition (each task
    // costs its scheduling, which dominates reducing a few small records). A few
    // partitions (a small append) skip that shuffle stage: the driver merges at most
    // DRIVER_MERGE_PARTITIONS partials per feature.
    List<Tuple2<Integer, byte[]>> results = partials.getNumPartitions() <= DRIVER_MERGE_PARTITIONS
        ? partials.collect()
        : merged(partials, (FeatureProfile a, FeatureProfile b) -> a.merge(b, categories),
            Math.max(1, Math.min(width * data.size(), data.get(0).sparkSession().sparkContext()
                .defaultParallelism()))).mapValues(SparkProfiler::freeze).collect();
    boolean[] seen = new boolean[data.size() * width];
    for (Tuple2<Integer, byte[]> t : results) {
      int side = t._1() / width;
      int feature = t._1() % width;
      FeatureProfile p = thaw(t._2());
      merged[side][feature] = seen[t._1()] ? merged[side][feature].merge(p, categories) : p;
      seen[t._1()] = true;
    }
    List<Map<String, FeatureProfile>> out = new ArrayList<>();
    for (FeatureProfile[] side : merged) {
      Map<String, FeatureProfile> profiles = new LinkedHashMap<>();
      for (int i = 0; i < width; i++) {
        FeatureProfile p = side[i];
        // The final cut to the most frequent categories (merge folds the rest into "other").
        profiles.put(names[i], p instanceof CategoricalProfile c
            ? c.merge(CategoricalProfile.empty(c.feature()), options.maxCategories()) : p);
      }
      out.add(profiles);
    }
    return out;
  }

  /**
   * The columnar form of the features' columns when the selection is a bare scan whose column
   * types match the feature types (numeric columns for numeric features, strings or booleans for
   * categorical ones); otherwise the row path casts them.
   */
  private static java.util.Optional<ColumnarScan> columnar(Dataset<Row> data, String[] names,
                                                           boolean[] numeric) {
    Column[] plain = Arrays.stream(names).map(ColumnNames::col).toArray(Column[]::new);
    return ColumnarScan.of(data.select(plain)).filter(scan -> {
      for (int i = 0; i < names.length; i++) {
        boolean numericKind = scan.kinds()[i] != ColumnarScan.Kind.STRING
            && scan.kinds()[i] != ColumnarScan.Kind.BOOLEAN;
        if (numericKind != numeric[i]) {
          return false;
        }
      }
      return true;
    });
  }

  private static JavaPairRDD<Integer, byte[]> rows(Dataset<Row> data, List<FeatureSpec> features,
                                                   String[] names, boolean[] numeric,
                                                   ProfileOptions options, int offset) {
    return internalRows(data.select(typed(data, features))).mapPartitionsToPair(
        new RowProfiler(names, numeric, options, offset));
  }

  /**
   * The features' columns as the row path reads them: numerics as doubles (see
   * {@link FeatureSpecs#asDouble}), categories cast to string ({@link PartitionProfile#add}).
   */
  static Column[] typed(Dataset<Row> data, List<FeatureSpec> features) {
    Column[] typed = new Column[features.size()];
    for (int i = 0; i < typed.length; i++) {
      String name = features.get(i).name();
      typed[i] = features.get(i).type() == FeatureType.NUMERIC ? FeatureSpecs.asDouble(
          ColumnNames.col(name), data.schema().apply(name).dataType())
          : ColumnNames.col(name).cast("string");
    }
    return typed;
  }

  private static JavaRDD<InternalRow> internalRows(Dataset<Row> data) {
    return data.queryExecution().toRdd().toJavaRDD();
  }

  /** Two partitions' profiles of a feature, keeping at most {@code categories} categories. */

  /**
   * Merges the frozen partials of each key in {@code partitions} reduce tasks, each partial
   * thawed once into its key's running merge (a reduce of frozen values would freeze and thaw
   * the running merge again for every partial). No map-side combine: a task emits one partial
   * per key. The running merges are held as {@link Merging}, which a spill of Spark's combiner
   * map writes frozen under any {@code spark.serializer}.
   */
  static <T extends java.io.Serializable> JavaPairRDD<Integer, T> merged(
      JavaPairRDD<Integer, byte[]> partials, Function2<T, T, T> merge, int partitions) {
    return partials.<Merging>combineByKey(Merging::new,
        (Merging running, byte[] next) -> running.add(merge, thaw(next)),
        (Merging a, Merging b) -> a.add(merge, b.value()),
        new HashPartitioner(partitions), false, null).mapValues(Merging::<T>value);
  }

  /**
   * A running merge. Written (by Java serialization or by Kryo) as its frozen value, because
   * Kryo cannot rebuild records.
   */
  static final class Merging implements java.io.Externalizable,
      com.esotericsoftware.kryo.KryoSerializable {
    private java.io.Serializable value;

    public Merging() {}

    Merging(byte[] frozen) {
      value = thaw(frozen);
    }

    @SuppressWarnings("unchecked")
    <T extends java.io.Serializable> T value() {
      return (T) value;
    }

    @SuppressWarnings("unchecked")
    <T extends java.io.Serializable> Merging add(Function2<T, T, T> merge, T next)
        throws Exception {
      value = merge.call((T) value, next);
      return this;
    }

    @Override
    public void writeExternal(java.io.ObjectOutput out) throws java.io.IOException {
      byte[] frozen = freeze(value);
      out.writeInt(frozen.length);
      out.write(frozen);
    }

    @Override
    public void readExternal(java.io.ObjectInput in) throws java.io.IOException {
      byte[] frozen = new byte[in.readInt()];
      in.readFully(frozen);
      value = thaw(frozen);
    }

    @Override
    public void write(com.esotericsoftware.kryo.Kryo kryo,
                      com.esotericsoftware.kryo.io.Output output) {
      byte[] frozen = freeze(value);
      output.writeInt(frozen.length);
      output.writeBytes(frozen);
    }

    @Override
    public void read(com.esotericsoftware.kryo.Kryo kryo,
                     com.esotericsoftware.kryo.io.Input input) {
      value = thaw(input.readBytes(input.readInt()));
    }
  }

  /**
   * Partial results travel between tasks and to the driver as Java-serialized bytes, so they
   * survive whatever {@code spark.serializer} a cluster configures (Kryo cannot rebuild records).
   */
  static byte[] freeze(java.io.Serializable value) {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @SuppressWarnings("unchecked")
  static <T> T thaw(byte[] bytes) {
    try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes))) {
      return (T) in.readObject();
    } catch (java.io.IOException | ClassNotFoundException e) {
      throw new IllegalStateException("Cannot read a partial profile", e);
    }
  }

  /** The partition's profiles, one record per feature, keyed from {@code offset}. */
  private static Iterator<Tuple2<Integer, byte[]>> emit(PartitionProfile profile, int width,
                                                        int offset) {
    List<Tuple2<Integer, byte[]>> out = new ArrayList<>();
    for (int i = 0; i < width; i++) {
      out.add(new Tuple2<>(offset + i, freeze(profile.profile(i))));
    }
    return out.iterator();
  }

  /** Profiles one partition of a columnar scan, a column vector at a time. */
  private static final class BatchProfiler
      implements PairFlatMapFunction<Iterator<ColumnarBatch>, Integer, byte[]> {
    private final String[] names;
    private final boolean[] numeric;
    private final ProfileOptions options;
    private final int[] ordinals;
    private final ColumnarScan.Kind[] kinds;
    private final int offset;

    BatchProfiler(String[] names, boolean[] numeric, ProfileOptions options, int[] ordinals,
                  ColumnarScan.Kind[] kinds, int offset) {
      this.names = names;
      this.numeric = numeric;
      this.options = options;
      this.ordinals = ordinals;
      this.kinds = kinds;
      this.offset = offset;
    }

    @Override
    public Iterator<Tuple2<Integer, byte[]>> call(Iterator<ColumnarBatch> input) {
      PartitionProfile profile = new PartitionProfile(names, numeric, options);
      while (input.hasNext()) {
        ColumnarBatch batch = input.next();
        int n = batch.numRows();
        profile.rows(n);
        for (int i = 0; i < names.length; i++) {
          ColumnVector v = batch.column(ordinals[i]);
          switch (kinds[i]) {
            case STRING -> profile.strings(i, v, n);
            case BOOLEAN -> profile.booleans(i, v, n);
            default -> profile.numbers(i, v, kinds[i], n);
          }
        }
      }
      return emit(profile, names.length, offset);
    }
  }

  /**
   * Profiles one partition in one pass over its rows (numerics as doubles, see
   * {@link FeatureSpecs#asDouble}; categories cast to string).
   */
  private static final class RowProfiler
      implements PairFlatMapFunction<Iterator<InternalRow>, Integer, byte[]> {
    private final String[] names;
    private final boolean[] numeric;
    private final ProfileOptions options;
    private final int offset;

    RowProfiler(String[] names, boolean[] numeric, ProfileOptions options, int offset) {
      this.names = names;
      this.numeric = numeric;
      this.options = options;
      this.offset = offset;
    }

    @Override
    public Iterator<Tuple2<Integer, byte[]>> call(Iterator<InternalRow> input) {
      PartitionProfile profile = new PartitionProfile(names, numeric, options);
      while (input.hasNext()) {
        profile.add(input.next());
      }
      return emit(profile, names.length, offset);
    }
  }
}
