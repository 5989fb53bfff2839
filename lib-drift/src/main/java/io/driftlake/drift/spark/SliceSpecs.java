package io.driftlake.drift.spark;

import io.driftlake.drift.config.SliceSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.expressions.UserDefinedExpression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Checks the {@code driftlake.drift.slices} entries against both selections' columns. User input
 * is data, never code: each entry is parsed by Spark's SQL parser (never spliced into a query),
 * and refused, naming the key, when it references a column that either selection lacks, holds a
 * subquery, calls a user-defined or nondeterministic function, or is not a boolean predicate.
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
    SparkSession spark = reference.sparkSession();
    Expression parsed;
    try {
      parsed = spark.sessionState().sqlParser().parseExpression(spec);
    } catch (ParseException e) {
      throw new IllegalArgumentException(String.format("%s: cannot parse '%s' as a column or a "
          + "SQL predicate: %s", SliceSettings.KEY, spec, e.getMessage().lines().findFirst()
          .orElse("")), e);
    }
    Set<String> both = shared(reference.schema(), current.schema());
    List<String> names = new ArrayList<>();
    walk(spec, parsed, names);
    for (String name : names) {
      if (!both.contains(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(String.format(
            "%s: '%s' references unknown column '%s'; columns of both selections: %s",
            SliceSettings.KEY, spec, name, new TreeSet<>(Arrays.asList(current.schema()
                .fieldNames())).stream().filter(c -> both.contains(c.toLowerCase(Locale.ROOT)))
                .toList()));
      }
    }
    if (parsed instanceof UnresolvedAttribute a && a.nameParts().size() == 1) {
      return new SliceSpec(a.name(), true);
    }
    check(spec, reference);
    check(spec, current);
    return new SliceSpec(spec, false);
  }

  /** Collects the referenced column names; refuses subqueries. */
  private static void walk(String spec, Expression e, List<String> names) {
    if (e instanceof SubqueryExpression
        || e.getClass().getSimpleName().toLowerCase(Locale.ROOT).contains("subquery")) {
      throw new IllegalArgumentException(String.format("%s: '%s' holds a subquery; a slice is a "
          + "predicate over the table's own columns", SliceSettings.KEY, spec));
    }
    if (e instanceof UnresolvedAttribute a) {
      names.add(a.nameParts().head());
    }
    for (Expression child : CollectionConverters.asJava(e.children())) {
      walk(spec, child, names);
    }
  }

  /** Resolves the predicate on {@code data}: boolean, deterministic, built-in functions only. */
  private static void check(String spec, Dataset<Row> data) {
    LogicalPlan analyzed;
    try {
      analyzed = data.select(functions.expr(spec)).queryExecution().analyzed();
    } catch (RuntimeException e) { // AnalysisException, e.g. an unknown function
      throw new IllegalArgumentException(String.format("%s: '%s' is no predicate over the "
          + "table's columns: %s", SliceSettings.KEY, spec, e.getMessage().lines().findFirst()
          .orElse("")), e);
    }
    Expression resolved = (Expression) ((Project) analyzed).projectList().head();
    if (!(resolved.dataType() instanceof BooleanType)) {
      throw new IllegalArgumentException(String.format("%s: '%s' is a %s, not a predicate (a "
          + "boolean) nor a column name", SliceSettings.KEY, spec,
          resolved.dataType().simpleString()));
    }
    if (!resolved.deterministic() || userDefined(resolved)) {
      throw new IllegalArgumentException(String.format("%s: '%s' calls a nondeterministic or "
          + "user-defined function; a slice must select the same rows on every read",
          SliceSettings.KEY, spec));
    }
  }

  private static boolean userDefined(Expression e) {
    if (e instanceof UserDefinedExpression) {
      return true;
    }
    for (Expression child : CollectionConverters.asJava(e.children())) {
      if (userDefined(child)) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> shared(StructType reference, StructType current) {
    Set<String> ref = new TreeSet<>();
    for (String n : reference.fieldNames()) {
      ref.add(n.toLowerCase(Locale.ROOT));
    }
    Set<String> both = new TreeSet<>();
    for (String n : current.fieldNames()) {
      if (ref.contains(n.toLowerCase(Locale.ROOT))) {
        both.add(n.toLowerCase(Locale.ROOT));
      }
    }
    return both;
  }
}
