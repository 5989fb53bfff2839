package io.driftlake.drift.spark;

import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A {@link FeatureProfile} as one typed row, for storing profiles in a Delta table and reading
 * them back losslessly: counts, the fine histogram as an array of bins, categories as an array of
 * (category, count), and the sketches as DataSketches binaries (queryable with Spark's
 * {@code hll_sketch_estimate} and {@code kll_sketch_get_quantile_double}).
 */
public final class ProfileRows {
  /** Version of the profile format (fine-bin layout and columns); stored on every row. */
  public static final String FORMAT = "fine-bins-ieee754x128/v2";

  // Nested fields are nullable: Delta stores nested nullability that way, and appends compare
  // schemas exactly.
  public static final StructType BIN = new StructType()
      .add("key", DataTypes.LongType).add("count", DataTypes.LongType)
      .add("min", DataTypes.DoubleType).add("max", DataTypes.DoubleType)
      .add("sum", DataTypes.DoubleType).add("sum_squares", DataTypes.DoubleType);

  public static final StructType CATEGORY = new StructType()
      .add("category", DataTypes.StringType).add("count", DataTypes.LongType);

  /**
   * A capped categorical profile's values per hash bucket (CategoricalProfile.BUCKETS of them);
   * null otherwise. Added after the format's other columns: a row without it still reads (a
   * capped profile then has no buckets, and a store profiles it again).
   */
  public static final String BUCKETS = "category_buckets";

  /**
   * The fine bins whose min or max is only a bound ({@link NumericProfile.Bin#minExact}: kept
   * after rows were deleted), by key; null when every bin's extremes are exact. Added after the
   * format's other columns: a row without it, or with null, has exact extremes.
   */
  public static final String BOUNDS = "bin_bounds";

  public static final StructType BOUND = new StructType()
      .add("key", DataTypes.LongType).add("min_bound", DataTypes.BooleanType)
      .add("max_bound", DataTypes.BooleanType);

  /** The profile's own columns; a store adds its key columns around them. */
  public static final StructType SCHEMA = new StructType()
      .add("feature", DataTypes.StringType, false)
      .add("type", DataTypes.StringType, false)
      .add("rows", DataTypes.LongType, false)
      .add("nulls", DataTypes.LongType, false)
      .add("nans", DataTypes.LongType, false)
      .add("other_count", DataTypes.LongType, false)
      .add("bins", DataTypes.createArrayType(BIN, true), false)
      .add("categories", DataTypes.createArrayType(CATEGORY, true), false)
      .add("hll", DataTypes.BinaryType, true)
      .add("kll", DataTypes.BinaryType, true)
      .add("format", DataTypes.StringType, false)
      .add(BUCKETS, DataTypes.createArrayType(DataTypes.LongType, true), true)
      .add(BOUNDS, DataTypes.createArrayType(BOUND, true), true);

  private ProfileRows() {}

  /** The profile's values, in {@link #SCHEMA} order. */
  public static Object[] values(FeatureProfile profile) {
    List<Row> bins = new ArrayList<>();
    List<Row> categories = new ArrayList<>();
    long nans = 0;
    long other = 0;
    byte[] hll = null;
    byte[] kll = null;
    List<Long> buckets = null;
    List<Row> bounds = null;
    if (profile instanceof NumericProfile n) {
      for (Map.Entry<Long, NumericProfile.Bin> e : n.bins().entrySet()) {
        NumericProfile.Bin b = e.getValue();
        bins.add(RowFactory.create(e.getKey(), b.count(), b.min(), b.max(), b.sum(),
            b.sumSquares()));
        if (!b.exactExtremes()) {
          if (bounds == null) {
            bounds = new ArrayList<>();
          }
          bounds.add(RowFactory.create(e.getKey(), !b.minExact(), !b.maxExact()));
        }
      }
      nans = n.nans();
      kll = n.kll();
    } else if (profile instanceof CategoricalProfile c) {
      c.counts().forEach((k, v) -> categories.add(RowFactory.create(k, v)));
      other = c.otherCount();
      hll = c.distinctSketch();
      if (c.buckets() != null) {
        buckets = java.util.Arrays.stream(c.buckets()).boxed().toList();
      }
    }
    return new Object[] {profile.feature(), profile.type().id(), profile.rows(), profile.nulls(),
        nans, other, bins, categories, hll, kll, FORMAT, buckets, bounds};
  }

  /** Reads a profile from a row that has the {@link #SCHEMA} columns (by name). */
  public static FeatureProfile profile(Row row) {
    String format = row.getAs("format");
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException(String.format(
          "Stored profile of feature '%s' has format '%s'; this version reads '%s'",
          row.<String>getAs("feature"), format, FORMAT));
    }
    String feature = row.getAs("feature");
    FeatureType type = FeatureType.of(row.getAs("type"));
    long rows = row.getAs("rows");
    long nulls = row.getAs("nulls");
    if (type == FeatureType.NUMERIC) {
      Map<Long, Row> bounds = new java.util.HashMap<>();
      int at = column(row, BOUNDS);
      if (at >= 0 && !row.isNullAt(at)) {
        row.<Row>getList(at).forEach(b -> bounds.put(b.getLong(0), b));
      }
      TreeMap<Long, NumericProfile.Bin> bins = new TreeMap<>();
      for (Row b : row.<Row>getList(row.fieldIndex("bins"))) {
        Row bound = bounds.get(b.getLong(0));
        bins.put(b.getLong(0), new NumericProfile.Bin(b.getLong(1), b.getDouble(2),
            b.getDouble(3), b.getDouble(4), b.getDouble(5), bound == null || !bound.getBoolean(1),
            bound == null || !bound.getBoolean(2)));
      }
      return new NumericProfile(feature, rows, nulls, row.getAs("nans"), bins, row.getAs("kll"));
    }
    TreeMap<String, Long> counts = new TreeMap<>();
    for (Row c : row.<Row>getList(row.fieldIndex("categories"))) {
      counts.put(c.getString(0), c.getLong(1));
    }
    long[] buckets = null;
    int at = column(row, BUCKETS);
    if (at >= 0 && !row.isNullAt(at)) {
      buckets = row.<Long>getList(at).stream().mapToLong(Long::longValue).toArray();
    }
    return new CategoricalProfile(feature, rows, nulls, counts, row.getAs("other_count"),
        row.getAs("hll"), buckets);
  }

  /** The index of a column the row may lack (written before it existed), or −1. */
  private static int column(Row row, String name) {
    return row.schema() == null ? -1
        : java.util.Arrays.asList(row.schema().fieldNames()).indexOf(name);
  }
}
