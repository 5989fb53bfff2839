package io.driftlake.drift.spark;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * Column names as they go into Spark: a name is always ONE top-level column, whatever it holds
 * (a space, a dot, which {@code functions.col} would read as a struct field, a non-ASCII letter,
 * a backtick). Every Spark expression or SQL text driftlake builds from a column name goes
 * through here.
 */
public final class ColumnNames {
  private ColumnNames() {}

  /** {@code name} as a backticked SQL identifier, backticks inside doubled: {@code `a``b`}. */
  public static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** The top-level column named exactly {@code name}. */
  public static Column col(String name) {
    return functions.col(quote(name));
  }
}
