package io.driftlake.drift.store;

import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * What a selection's data gives a drift run besides its profiles: its rows (for exact passes),
 * its columns, and, when VACUUM removed a data file it reads, a line naming that file.
 *
 * @param rows the selection's rows; empty only when {@code gone} says why
 * @param schema its columns, known even when its rows are gone
 * @param gone the version, table and file VACUUM removed; empty when every file is there
 */
public record SelectionData(Optional<Dataset<Row>> rows, StructType schema, Optional<String> gone) {
  /** Checks that rows are missing only with a reason. */
  public SelectionData {
    if (rows.isEmpty() && gone.isEmpty()) {
      throw new IllegalArgumentException("A selection without rows needs the reason they are "
          + "gone; columns: " + schema.simpleString());
    }
  }

  /** A selection whose rows are all readable. */
  public static SelectionData of(Dataset<Row> rows) {
    return new SelectionData(Optional.of(rows), rows.schema(), Optional.empty());
  }
}
