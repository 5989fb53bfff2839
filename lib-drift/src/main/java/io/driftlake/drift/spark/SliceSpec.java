package io.driftlake.drift.spark;

import java.io.Serializable;
import io.driftlake.drift.config.SliceSettings;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * One checked entry of {@code driftlake.drift.slices}: a column (one slice per value) or a
 * predicate over the table's own columns (one slice of the rows where it is true). Build them
 * with {@link SliceSpecs#resolve}.
 *
 * @param spec the entry as written (a column name or a SQL predicate)
 * @param column whether it names a column
 */
public record SliceSpec(String spec, boolean column) implements Serializable {
  /**
   * What the profile pass reads of {@code data} to place a row: the column's value as a string,
   * or whether the predicate holds (a null predicate is false: SQL's WHERE keeps only true rows).
   */
  Column tag(Dataset<Row> data) {
    return column ? ColumnNames.col(spec).cast("string")
        : functions.coalesce(predicate(spec, data), functions.lit(false));
  }

  /** The predicate {@code text} as {@link Predicates} checked it on {@code data}'s columns. */
  static Column predicate(String text, Dataset<Row> data) {
    return Predicates.column(SliceSettings.KEY + " '" + text + "'", text, data.schema(),
        "the selection");
  }

  /**
   * The rows of {@code data} in the slice named {@code slice} (one of this spec's
   * {@link #label}s).
   */
  public Column condition(Dataset<Row> data, String slice) {
    if (!column) {
      return tag(data);
    }
    return slice.equals(nullLabel()) ? ColumnNames.col(spec).isNull()
        : ColumnNames.col(spec).cast("string").equalTo(functions.lit(
            slice.substring(spec.length() + 3)));
  }

  /** The slice name of a column value ({@code null} for null); the spec for a predicate. */
  String label(String value) {
    if (!column) {
      return spec;
    }
    return value == null ? nullLabel() : spec + " = " + value;
  }

  private String nullLabel() {
    return spec + " is null";
  }
}
