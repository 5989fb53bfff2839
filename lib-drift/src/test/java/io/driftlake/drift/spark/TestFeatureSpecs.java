package io.driftlake.drift.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Which columns drift compares, as what, and which it lists as skipped. Schemas only. */
class TestFeatureSpecs {
  private static final StructType ALL = new StructType()
      .add("id", DataTypes.LongType)
      .add("ts", DataTypes.TimestampType)
      .add("local", DataTypes.TimestampNTZType)
      .add("day", DataTypes.DateType)
      .add("flag", DataTypes.BooleanType)
      .add("amount", DataTypes.createDecimalType(12, 2))
      .add("x", DataTypes.DoubleType)
      .add("cat", DataTypes.StringType)
      .add("blob", DataTypes.BinaryType)
      .add("tags", DataTypes.createArrayType(DataTypes.StringType))
      .add("label", DataTypes.IntegerType);

  @Test
  void everyColumnIsAFeatureOrSkippedWithItsTypeOrRole() {
    Map<String, String> roles = new LinkedHashMap<>();
    roles.put("id", "role: key");
    roles.put("label", "role: label");
    FeatureSpecs.Shared shared = FeatureSpecs.shared(ALL, ALL.add("extra",
        DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType)), roles);
    assertThat(shared.features()).extracting(FeatureSpec::name, FeatureSpec::type).containsExactly(
        tuple("ts", FeatureType.NUMERIC), tuple("local", FeatureType.NUMERIC),
        tuple("day", FeatureType.NUMERIC), tuple("flag", FeatureType.CATEGORICAL),
        tuple("amount", FeatureType.NUMERIC), tuple("x", FeatureType.NUMERIC),
        tuple("cat", FeatureType.CATEGORICAL));
    assertThat(shared.skipped()).containsExactly(
        new SkippedColumn("id", "bigint", "role: key"),
        new SkippedColumn("blob", "binary", "type binary"),
        new SkippedColumn("tags", "array<string>", "type array<string>"),
        new SkippedColumn("label", "int", "role: label"),
        new SkippedColumn("extra", "map<string,string>", "type map<string,string>"));
    assertThat(shared.values()).containsExactly(
        Map.entry("ts", "timestamp as epoch seconds (UTC)"),
        Map.entry("local", FeatureSpecs.TIMESTAMP_NTZ_VALUES),
        Map.entry("day", "date as epoch days (days since 1970-01-01)"),
        Map.entry("amount", "decimal(12,2) as double"));
    assertThat(shared.onlyInReference()).isEmpty();
    assertThat(shared.onlyInCurrent()).isEmpty();
    // What a model trains on is unchanged: timestamps and dates are no model features.
    assertThat(FeatureSpecs.typeOf(DataTypes.TimestampType)).isEmpty();
    assertThat(FeatureSpecs.typeOf(DataTypes.DateType)).isEmpty();
  }

  @Test
  void aTimestampIsNotComparedWithADateNorANumber() {
    assertThat(FeatureSpecs.comparable(DataTypes.createDecimalType(12, 2),
        DataTypes.DoubleType)).isTrue();
    assertThat(FeatureSpecs.comparable(DataTypes.TimestampType, DataTypes.DateType)).isFalse();
    assertThat(FeatureSpecs.comparable(DataTypes.DateType, DataTypes.IntegerType)).isFalse();
    StructType ref = new StructType().add("t", DataTypes.TimestampType);
    StructType cur = new StructType().add("t", DataTypes.DateType);
    assertThatThrownBy(() -> FeatureSpecs.shared(ref, cur, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Column 't' has type timestamp in the reference but date in the current "
            + "selection");
    assertThat(FeatureSpecs.shared(ref, cur, Map.of("t", "retyped")).skipped())
        .containsExactly(new SkippedColumn("t", "timestamp", "retyped"));
    assertThat(FeatureSpecs.shared(ref, ref, java.util.Set.of()).features()).hasSize(1);
    assertThat(List.of(FeatureSpecs.values(DataTypes.DoubleType))).containsExactly(
        java.util.Optional.empty());
  }
}
