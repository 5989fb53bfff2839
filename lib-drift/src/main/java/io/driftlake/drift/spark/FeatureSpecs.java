package io.driftlake.drift.spark;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Feature specs from Spark schemas: numeric columns are numeric, strings and booleans categorical. */
public final class FeatureSpecs {
  private FeatureSpecs() {}

  /** Result of matching two schemas: the shared features and what only one side has. */
  public record Shared(List<FeatureSpec> features, List<String> onlyInReference,
                       List<String> onlyInCurrent) {}

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
   * The features both schemas share (in the reference's column order), minus {@code excluded}.
   * A column whose feature type differs between the sides is an error naming it.
   */
  public static Shared shared(StructType reference, StructType current, Set<String> excluded) {
    List<FeatureSpec> features = new ArrayList<>();
    List<String> onlyReference = new ArrayList<>();
    for (StructField field : reference.fields()) {
      if (excluded.contains(field.name())) {
        continue;
      }
      Optional<FeatureType> refType = typeOf(field.dataType());
      if (refType.isEmpty()) {
        continue;
      }
      Optional<StructField> other = find(current, field.name());
      if (other.isEmpty()) {
        onlyReference.add(field.name());
        continue;
      }
      Optional<FeatureType> curType = typeOf(other.get().dataType());
      if (curType.isEmpty() || curType.get() != refType.get()) {
        throw new IllegalArgumentException(String.format(
            "Column '%s' has type %s in the reference but %s in the current selection",
            field.name(), field.dataType().simpleString(), other.get().dataType().simpleString()));
      }
      features.add(new FeatureSpec(field.name(), refType.get()));
    }
    List<String> onlyCurrent = new ArrayList<>();
    for (StructField field : current.fields()) {
      if (!excluded.contains(field.name()) && typeOf(field.dataType()).isPresent()
          && find(reference, field.name()).isEmpty()) {
        onlyCurrent.add(field.name());
      }
    }
    return new Shared(features, onlyReference, onlyCurrent);
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
