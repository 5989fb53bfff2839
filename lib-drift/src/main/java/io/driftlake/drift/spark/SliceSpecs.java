package io.driftlake.drift.spark;

import io.driftlake.drift.config.SliceSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;

/**
 * Checks the {@code driftlake.drift.slices} entries against both selections' columns. User input
 * is data, never code: each entry is parsed and checked by {@link Predicates}, as the jobs' row
 * filters are (the selections' own columns, literals, operators and an allow-list of
 * deterministic built-in functions; no subquery, UDF, {@code java_method} or nondeterministic
 * function), and refused with a message naming the key; a predicate must also be a boolean. A
 * bare column name is a column spec.
 */
public final class SliceSpecs {
  private SliceSpecs() {}

  /** The checked specs of {@code settings}, in their order. */
  public static List<SliceSpec> resolve(SliceSettings settings, Dataset<Row> reference,
                                        Dataset<Row> current) {
    List<SliceSpec> out = new ArrayList<>();
    for (String spec : settings.specs()) {
      out.add(resolve(spec, reference, current));
    }
    return out;
  }

  private static SliceSpec resolve(String spec, Dataset<Row> reference, Dataset<Row> current) {
    Expression parsed = check(spec, reference, "the reference");
    check(spec, current, "the current selection");
    if (parsed instanceof UnresolvedAttribute a && a.nameParts().size() == 1) {
      return new SliceSpec(a.nameParts().head(), true); // the name itself, unquoted
    }
    for (Dataset<Row> side : List.of(reference, current)) {
      DataType type = side.select(SliceSpec.predicate(spec, side)).schema().fields()[0]
          .dataType();
      if (!(type instanceof BooleanType)) {
        throw new IllegalArgumentException(String.format("%s: '%s' is a %s, not a predicate (a "
            + "boolean) nor a column name", SliceSettings.KEY, spec, type.simpleString()));
      }
    }
    return new SliceSpec(spec, false);
  }

  private static Expression check(String spec, Dataset<Row> side, String name) {
    return Predicates.check(SliceSettings.KEY + " '" + spec + "'", spec, side.schema(), name);
  }
}
