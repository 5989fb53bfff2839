package io.driftlake.drift.spark;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Feature specs from Spark schemas: numeric columns are numeric, strings and booleans categorical
 * ({@link #typeOf}, what a model trains on). Drift compares more ({@link #comparedAs}): a
 * timestamp as the instant it is, in epoch seconds (UTC; a timestamp without time zone as its
 * local time read as UTC), a date as epoch days, both numeric. Every other column is listed as
 * skipped with its type, and so is a column whose role (key, label, excluded) is not a feature:
 * nothing vanishes.
 */
public final class FeatureSpecs {
  private FeatureSpecs() {}

  /** The "values" convention of a timestamp feature's results. */
  public static final String TIMESTAMP_VALUES = "timestamp as epoch seconds (UTC)";
  public static final String TIMESTAMP_NTZ_VALUES =
      "timestamp without time zone as epoch seconds of its local time read as UTC";
  public static final String DATE_VALUES = "date as epoch days (days since 1970-01-01)";

  /**
   * Result of matching two schemas: the shared features, the features only one side has, the
   * columns of either side that are not compared and why, and, per feature whose values are not
   * plain numbers (timestamps, dates, decimals), what its values are.
   */
  public record Shared(List<FeatureSpec> features, List<String> onlyInReference,
                       List<String> onlyInCurrent, List<SkippedColumn> skipped,
                       Map<String, String> values) {
    public Shared {
      features = List.copyOf(features);
      onlyInReference = List.copyOf(onlyInReference);
      onlyInCurrent = List.copyOf(onlyInCurrent);
      skipped = List.copyOf(skipped);
      values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Shared(List<FeatureSpec> features, List<String> onlyInReference,
                  List<String> onlyInCurrent) {
      this(features, onlyInReference, onlyInCurrent, List.of(), Map.of());
    }

    /**
     * {@code report} with these skipped columns, and each result of a feature whose values are
     * not plain numbers recording them (convention {@code values}).
     */
    public DriftReport annotate(DriftReport report) {
      List<FeatureDrift> features = new ArrayList<>();
      for (FeatureDrift f : report.features()) {
        String v = values.get(f.feature());
        features.add(v == null ? f : new FeatureDrift(f.feature(), f.type(), f.referenceRows(),
            f.currentRows(), f.referenceNullShare(), f.currentNullShare(),
            f.results().stream().map(r -> withValues(r, v)).toList(), f.decidedBy(),
            f.verdict(), f.critical()));
      }
      return new DriftReport(report.referenceRows(), report.currentRows(), features,
          report.driftedShareThreshold(), report.status(), report.reason(), report.skipped(),
          report.multivariate(), report.slices()).withSkipped(skipped);
    }

    private static MethodResult withValues(MethodResult r, String values) {
      Map<String, String> conventions = new LinkedHashMap<>(r.conventions());
      conventions.put("values", values);
      return new MethodResult(r.method(), r.score(), r.pValue(), r.threshold(), r.verdict(),
          r.note(), conventions);
    }
  }

  /**
   * The feature type a model trains a column as: numbers are numeric, strings and booleans
   * categorical.
   */
  public static Optional<FeatureType> typeOf(DataType type) {
    if (type instanceof NumericType) {
      return Optional.of(FeatureType.NUMERIC);
    }
    if (type instanceof StringType || type instanceof BooleanType) {
      return Optional.of(FeatureType.CATEGORICAL);
    }
    return Optional.empty();
  }

  /**
   * The feature type drift compares a column as: {@link #typeOf}, and timestamps and dates as
   * numbers.
   */
  public static Optional<FeatureType> comparedAs(DataType type) {
    return values(type).isPresent() ? Optional.of(FeatureType.NUMERIC) : typeOf(type);
  }

  /**
   * What a numeric feature's values are when they are not the column's own numbers (empty for
   * plain numbers and for categories): timestamps, dates, decimals.
   */
  public static Optional<String> values(DataType type) {
    if (type instanceof TimestampType) {
      return Optional.of(TIMESTAMP_VALUES);
    } else if (type instanceof TimestampNTZType) {
      return Optional.of(TIMESTAMP_NTZ_VALUES);
    } else if (type instanceof DateType) {
      return Optional.of(DATE_VALUES);
    } else if (type instanceof DecimalType d) {
      return Optional.of(d.simpleString() + " as double");
    }
    return Optional.empty();
  }

  /**
   * Column {@code column} of type {@code type} as the doubles a numeric feature is profiled and
   * compared as (see {@link #values}); every path (columnar, rows, exact passes) reads the same
   * numbers, see {@link ColumnarScan#number}.
   */
  static Column asDouble(Column column, DataType type) {
    if (type instanceof TimestampType) {
      return functions.unix_micros(column).cast("double").divide(1e6);
    } else if (type instanceof TimestampNTZType) {
      return functions.timestamp_diff("MICROSECOND",
          functions.lit(java.time.LocalDateTime.of(1970, 1, 1, 0, 0)), column)
          .cast("double").divide(1e6);
    } else if (type instanceof DateType) {
      return functions.unix_date(column).cast("double");
    }
    return column.cast("double");
  }

  /** {@link #shared(StructType, StructType, Map)}, every excluded column's reason "excluded". */
  public static Shared shared(StructType reference, StructType current, Set<String> excluded) {
    Map<String, String> reasons = new LinkedHashMap<>();
    excluded.stream().sorted().forEach(c -> reasons.put(c, "excluded"));
    return shared(reference, current, reasons);
  }

  /**
   * The features both schemas share (in the reference's column order), minus the keys of
   * {@code excluded} (column → the reason it is not a feature, e.g. "role: key"); those, and
   * the columns of either side whose type drift cannot compare ("type binary"), are skipped.
   * A column whose feature type differs between the sides is an error naming it.
   */
  public static Shared shared(StructType reference, StructType current,
                              Map<String, String> excluded) {
    List<FeatureSpec> features = new ArrayList<>();
    List<String> onlyReference = new ArrayList<>();
    List<SkippedColumn> skipped = new ArrayList<>();
    Map<String, String> values = new LinkedHashMap<>();
    for (StructField field : reference.fields()) {
      String type = field.dataType().simpleString();
      if (excluded.containsKey(field.name())) {
        skipped.add(new SkippedColumn(field.name(), type, excluded.get(field.name())));
        continue;
      }
      Optional<FeatureType> refType = comparedAs(field.dataType());
      if (refType.isEmpty()) {
        skipped.add(new SkippedColumn(field.name(), type, "type " + type));
        continue;
      }
      Optional<StructField> other = find(current, field.name());
      if (other.isEmpty()) {
        onlyReference.add(field.name());
        continue;
      }
      Optional<FeatureType> curType = comparedAs(other.get().dataType());
      if (curType.isEmpty() || !comparable(field.dataType(), other.get().dataType())) {
        throw new IllegalArgumentException(String.format(
            "Column '%s' has type %s in the reference but %s in the current selection",
            field.name(), field.dataType().simpleString(), other.get().dataType().simpleString()));
      }
      features.add(new FeatureSpec(field.name(), refType.get()));
      values(field.dataType()).ifPresent(v -> values.put(field.name(), v));
    }
    List<String> onlyCurrent = new ArrayList<>();
    for (StructField field : current.fields()) {
      boolean inReference = find(reference, field.name()).isPresent();
      String type = field.dataType().simpleString();
      if (excluded.containsKey(field.name())) {
        if (!inReference) {
          skipped.add(new SkippedColumn(field.name(), type, excluded.get(field.name())));
        }
      } else if (comparedAs(field.dataType()).isEmpty()) {
        if (!inReference || !field.dataType().simpleString().equals(
            reference.apply(field.name()).dataType().simpleString())) {
          skipped.add(new SkippedColumn(field.name(), type, "type " + type));
        }
      } else if (!inReference) {
        onlyCurrent.add(field.name());
      }
    }
    return new Shared(features, onlyReference, onlyCurrent, skipped, values);
  }

  /**
   * Whether drift compares the two types alike: the same feature type with values of the same
   * kind (a timestamp is not compared with a date, nor a number with either).
   */
  public static boolean comparable(DataType reference, DataType current) {
    return comparedAs(reference).equals(comparedAs(current)) && kind(reference).equals(
        kind(current));
  }

  private static String kind(DataType type) {
    return values(type).map(v -> type instanceof DecimalType ? "" : v).orElse("");
  }

  private static Optional<StructField> find(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
