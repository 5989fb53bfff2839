package io.driftlake.drift.spark;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.Add;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.CaseWhen;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.Divide;
import org.apache.spark.sql.catalyst.expressions.EqualNullSafe;
import org.apache.spark.sql.catalyst.expressions.EqualTo;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GreaterThan;
import org.apache.spark.sql.catalyst.expressions.GreaterThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.ILike;
import org.apache.spark.sql.catalyst.expressions.In;
import org.apache.spark.sql.catalyst.expressions.InSubquery;
import org.apache.spark.sql.catalyst.expressions.IntegralDivide;
import org.apache.spark.sql.catalyst.expressions.IsNotNull;
import org.apache.spark.sql.catalyst.expressions.IsNull;
import org.apache.spark.sql.catalyst.expressions.LambdaFunction;
import org.apache.spark.sql.catalyst.expressions.LessThan;
import org.apache.spark.sql.catalyst.expressions.LessThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.Like;
import org.apache.spark.sql.catalyst.expressions.LikeAll;
import org.apache.spark.sql.catalyst.expressions.LikeAny;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.Multiply;
import org.apache.spark.sql.catalyst.expressions.Not;
import org.apache.spark.sql.catalyst.expressions.NotLikeAll;
import org.apache.spark.sql.catalyst.expressions.NotLikeAny;
import org.apache.spark.sql.catalyst.expressions.Or;
import org.apache.spark.sql.catalyst.expressions.RLike;
import org.apache.spark.sql.catalyst.expressions.Remainder;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.expressions.Subtract;
import org.apache.spark.sql.catalyst.expressions.UnaryMinus;
import org.apache.spark.sql.catalyst.expressions.UnaryPositive;
import org.apache.spark.sql.catalyst.expressions.UnresolvedNamedLambdaVariable;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Row filters given by users (the jobs' {@code --where}, {@code --reference-where},
 * {@code --current-where}, and the slice predicates of {@code driftlake.drift.slices}): parsed by Spark's own SQL parser, then checked node by node before
 * any data is read. A filter may only use the selection's own columns, literals, comparisons,
 * AND/OR/NOT, IN (literals), BETWEEN, IS [NOT] NULL, [I|R]LIKE, CASE, CAST, arithmetic and
 * {@link #FUNCTIONS}: deterministic built-in scalar functions. Everything else (subqueries,
 * which could read any file Spark can read; {@code java_method}/{@code reflect}; UDFs; unknown
 * or non-deterministic functions such as {@code rand} or {@code current_date}; lambdas;
 * parameters) is refused with one line naming the refused part. A column whose name is no plain
 * identifier (a space, a dot, a backtick, non-ASCII) is written in backticks, a backtick inside
 * doubled: {@code `income.usd` > 1000 AND `plan``tier` = 'gold'}. The parser used does no
 * {@code ${...}} variable substitution, and the filter applied is the checked tree itself.
 */
public final class Predicates {
  /** Built-in scalar functions a filter may call: deterministic, reading only their arguments. */
  public static final Set<String> FUNCTIONS = new TreeSet<>(Arrays.asList(
      // null handling and conditionals (BETWEEN parses to the function "between")
      "between", "coalesce", "if", "ifnull", "isnan", "isnotnull", "isnull", "nanvl", "nullif",
      "nvl", "nvl2",
      // casts by type name
      "bigint", "boolean", "date", "decimal", "double", "float", "int", "smallint", "string",
      "timestamp", "tinyint",
      // strings
      "btrim", "char_length", "character_length", "concat", "concat_ws", "contains", "endswith",
      "ilike", "initcap", "instr", "lcase", "left", "length", "like", "locate", "lower", "lpad",
      "ltrim", "replace", "right", "rlike", "rpad", "rtrim", "startswith", "substr", "substring",
      "trim", "ucase", "upper",
      // numbers
      "abs", "bround", "ceil", "ceiling", "exp", "floor", "greatest", "least", "ln", "log",
      "log10", "log2", "mod", "negative", "pmod", "positive", "pow", "power", "round", "sign",
      "signum", "sqrt",
      // dates and times (never the current ones: a filter must select the same rows every run)
      "add_months", "date_add", "date_format", "date_part", "date_sub", "date_trunc", "datediff",
      "day", "dayofmonth", "dayofweek", "dayofyear", "extract", "from_unixtime", "hour",
      "last_day", "make_date", "make_timestamp", "minute", "month", "months_between", "quarter",
      "second", "timestamp_millis", "timestamp_seconds", "to_date", "to_timestamp",
      "to_unix_timestamp", "trunc", "unix_seconds", "weekofyear", "year"));

  /** Operator nodes a filter may hold, each checked child by child. */
  private static final List<Class<?>> OPERATORS = List.of(And.class, Or.class, Not.class,
      EqualTo.class, EqualNullSafe.class, LessThan.class, LessThanOrEqual.class,
      GreaterThan.class, GreaterThanOrEqual.class, IsNull.class, IsNotNull.class, Like.class,
      ILike.class, RLike.class, LikeAny.class, LikeAll.class, NotLikeAny.class, NotLikeAll.class,
      Add.class, Subtract.class, Multiply.class, Divide.class, Remainder.class,
      IntegralDivide.class, UnaryMinus.class, UnaryPositive.class, Cast.class, CaseWhen.class);

  private Predicates() {}

  /** A filter refused before anything ran; {@link #reason()} says which part and why. */
  public static final class Refused extends IllegalArgumentException {
    private final String reason;

    Refused(String message, String reason) {
      super(message);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }

    /** The same refusal, naming the filter as {@code what} (e.g. the option that gave it). */
    public Refused named(String what) {
      Refused named = refused(what, reason);
      named.initCause(this);
      return named;
    }
  }

  /**
   * The filter {@code text} on a selection of {@code table} with columns {@code schema}, as the
   * column to filter by; a {@link Refused} naming the refused part otherwise. {@code what} names
   * the filter in the message (e.g. "--current-where").
   */
  public static Column column(String what, String text, StructType schema, String table) {
    return ExpressionUtils.column(check(what, text, schema, table));
  }

  /** The parsed, checked filter (see {@link #column}). */
  public static Expression check(String what, String text, StructType schema, String table) {
    Expression parsed;
    try {
      parsed = CatalystSqlParser$.MODULE$.parseExpression(text);
    } catch (Exception e) { // Spark's ParseException is checked, but thrown from Scala
      throw refused(what, "not a SQL predicate: " + String.valueOf(e.getMessage()).lines()
          .map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse(""));
    }
    walk(what, parsed, schema, table);
    return parsed;
  }

  private static Refused refused(String what, String reason) {
    return new Refused(what + ": " + reason, reason);
  }

  private static void walk(String what, Expression e, StructType schema, String table) {
    if (e instanceof SubqueryExpression || e instanceof InSubquery) {
      throw refused(what, "subqueries are not allowed in a filter");
    }
    if (e instanceof LambdaFunction || e instanceof UnresolvedNamedLambdaVariable) {
      throw refused(what, "lambda functions are not allowed in a filter");
    }
    if (e instanceof Literal) {
      return;
    }
    if (e instanceof UnresolvedAttribute a) {
      String name = a.name();
      for (StructField f : schema.fields()) {
        if (a.nameParts().size() == 1 && f.name().equalsIgnoreCase(a.nameParts().head())) {
          return;
        }
      }
      String joined = String.join(".", CollectionConverters.asJava(a.nameParts()));
      for (StructField f : schema.fields()) {
        if (a.nameParts().size() > 1 && f.name().equalsIgnoreCase(joined)) {
          throw refused(what, String.format("column '%s' of %s has a dot in its name: quote it "
              + "as %s (a dot outside backticks reads a struct field)", f.name(), table,
              io.driftlake.drift.spark.ColumnNames.quote(f.name())));
        }
      }
      throw refused(what, String.format("column '%s' is not a column of %s; columns: %s", name,
          table, Arrays.asList(schema.fieldNames())));
    }
    if (e instanceof UnresolvedFunction f) {
      String name = String.join(".", CollectionConverters.asJava(f.nameParts()));
      if (f.nameParts().size() != 1 || !FUNCTIONS.contains(name.toLowerCase(Locale.ROOT))) {
        throw refused(what, String.format(
            "function '%s' is not allowed in a filter; allowed: %s", name, FUNCTIONS));
      }
      if (f.isDistinct() || f.filter().isDefined()) {
        throw refused(what, String.format(
            "DISTINCT or FILTER in function '%s' is not allowed in a filter", name));
      }
    } else if (e instanceof In in) {
      for (Expression item : CollectionConverters.asJava(in.list())) {
        if (!item.collect(new IsAttribute()).isEmpty()) {
          throw refused(what, String.format(
              "IN lists in a filter hold literals only, not %s", describe(item)));
        }
      }
    } else if (OPERATORS.stream().noneMatch(c -> c.isInstance(e))) {
      throw refused(what, String.format("%s (%s) is not allowed in a filter; a filter holds "
          + "columns, literals, comparisons, AND/OR/NOT, IN, BETWEEN, IS [NOT] NULL, LIKE, CASE, "
          + "CAST, arithmetic and the allowed functions", describe(e), e.nodeName()));
    }
    for (Expression child : CollectionConverters.asJava(e.children())) {
      walk(what, child, schema, table);
    }
  }

  private static String describe(Expression e) {
    try {
      return "'" + e.sql() + "'";
    } catch (RuntimeException unresolved) {
      return "'" + e + "'";
    }
  }

  /** Matches column references, for {@code Expression.collect}. */
  private static final class IsAttribute
      extends scala.runtime.AbstractPartialFunction<Expression, Expression> {
    @Override
    public boolean isDefinedAt(Expression e) {
      return e instanceof UnresolvedAttribute;
    }

    @Override
    public Expression apply(Expression e) {
      return e;
    }
  }
}
