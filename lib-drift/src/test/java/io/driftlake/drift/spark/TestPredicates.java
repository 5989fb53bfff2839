package io.driftlake.drift.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The filter check on its own, without a SparkSession or data: Spark's parser and the walk over
 * its unresolved tree. Each refused filter fails with one line naming the refused part.
 */
class TestPredicates {
  private static final StructType PRODUCTION = new StructType()
      .add("event_time", DataTypes.TimestampType).add("channel", DataTypes.StringType)
      .add("age", DataTypes.IntegerType).add("cat", DataTypes.StringType)
      .add("x", DataTypes.DoubleType);
  private static final String COLUMNS = "columns: [event_time, channel, age, cat, x]";
  private static final String SUBQUERY = "--current-where: subqueries are not allowed in a filter";

  private static String check(String filter) {
    return Predicates.check("--current-where", filter, PRODUCTION, "production").sql();
  }

  private static String function(String name) {
    return "--current-where: function '" + name + "' is not allowed in a filter; allowed: "
        + Predicates.FUNCTIONS;
  }

  @Test
  void filtersOfColumnsLiteralsOperatorsAndAllowedFunctionsPass() {
    assertThat(check("event_time >= '2026-11-01'")).isEqualTo("(event_time >= '2026-11-01')");
    assertThat(check("channel IN ('web','app') AND NOT age BETWEEN 18 AND 25"))
        .isEqualTo("((channel IN ('web', 'app')) AND (NOT between(age, 18, 25)))");
    assertThat(check("lower(cat) LIKE 'a%'")).isEqualTo("lower(cat) LIKE 'a%'");
    assertThat(check("x IS NOT NULL")).isEqualTo("(x IS NOT NULL)");
    assertThat(check("x * 2 + 1 > age - 3 / 2 AND x % 2 <> 0"))
        .isEqualTo("((((x * 2) + 1) > (age - (3 / 2))) AND (NOT ((x % 2) = 0)))");
    assertThat(check("CAST(age AS double) < x AND year(EVENT_TIME) = 2026"))
        .isEqualTo("((CAST(age AS DOUBLE) < x) AND (year(EVENT_TIME) = 2026))");
    assertThat(check("CASE WHEN x > 1 THEN 'a' ELSE 'b' END = coalesce(cat, 'b')"))
        .isEqualTo("(CASE WHEN (x > 1) THEN 'a' ELSE 'b' END = coalesce(cat, 'b'))");
    // A comment is not part of the tree: what follows "--" on its line is never run.
    assertThat(check("x > 1 /* c */ OR `age` = 2 -- OR reflect('java.lang.System', 'exit', 0)"))
        .isEqualTo("((x > 1) OR (age = 2))");
    // An escaped quote stays inside its literal; "${...}" is text, never substituted.
    assertThat(check("cat = '\\u0027 OR reflect(1) --'"))
        .isEqualTo("(cat = '\\' OR reflect(1) --')");
    assertThat(check("cat = '${spark:spark.app.name}'"))
        .isEqualTo("(cat = '${spark:spark.app.name}')");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "EXISTS (SELECT 1 FROM text.`/etc/passwd` WHERE value LIKE 'root%')",
      "(SELECT max(x) FROM parquet.`/tmp/x`) > 1",
      "x IN (SELECT x FROM parquet.`/tmp/x`)",
      "coalesce(x, (SELECT 1)) > 0",
      "NOT EXISTS (SELECT * FROM delta.`/lake/models`)"})
  void subqueriesAreRefused(String filter) {
    assertThatThrownBy(() -> check(filter)).isInstanceOf(Predicates.Refused.class)
        .hasMessage(SUBQUERY);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "java_method('java.lang.System', 'getProperty', 'user.home') = '/root'|java_method",
      "reflect('java.lang.System', 'getenv', 'HOME') IS NOT NULL|reflect",
      "x > 1 /* */ OR java_method('java.lang.System', 'getenv', 'HOME') IS NULL|java_method",
      "cat = '\\u0027' OR reflect('java.lang.Thread', 'sleep', 1) IS NULL|reflect",
      "`java_method`('java.lang.System', 'exit', 0) = 1|java_method",
      "lower(reflect('java.lang.System', 'getenv', 'HOME')) = 'a'|reflect",
      "rand() < 0.5|rand",
      "uuid() = cat|uuid",
      "current_date() > event_time|current_date",
      "unix_timestamp() > 0|unix_timestamp",
      "leak(x) = 1|leak",
      "count(*) > 1|count",
      "exists(array(x), v -> v > 1)|exists",
      "system.builtin.lower(cat) = 'a'|system.builtin.lower"})
  void functionsOutsideTheAllowListAreRefused(String filter, String name) {
    assertThatThrownBy(() -> check(filter)).isInstanceOf(Predicates.Refused.class)
        .hasMessage(function(name));
  }

  @Test
  void aCommentEndsAtItsLine() {
    assertThatThrownBy(() -> check("x > 1 --\nOR reflect('java.lang.System', 'getenv', 'HOME') "
        + "IS NOT NULL")).hasMessage(function("reflect"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "secret = 1|secret",
      "`secret col` = 1|secret col",
      "production.x = 1|production.x",
      "current_timestamp > event_time|current_timestamp"})
  void onlyTheSelectionsOwnColumns(String filter, String column) {
    assertThatThrownBy(() -> check(filter)).isInstanceOf(Predicates.Refused.class)
        .hasMessage("--current-where: column '" + column + "' is not a column of production; "
            + COLUMNS);
  }

  private static final StructType ODD = new StructType()
      .add("age in years", DataTypes.IntegerType).add("income.usd", DataTypes.DoubleType)
      .add("région", DataTypes.StringType).add("plan`tier", DataTypes.StringType);

  /** Names with a space, a dot, a non-ASCII letter or a backtick are columns when quoted. */
  @Test
  void columnsWithOddNamesAreFilteredByInBackticks() {
    assertThat(Predicates.check("--where", "`age in years` < 30 AND `income.usd` >= 1000 "
        + "AND `région` = 'Bretagne' AND lower(`plan``tier`) IN ('gold')", ODD, "odd").sql())
        .isEqualTo("(((`age in years` < 30) AND (`income.usd` >= 1000)) AND "
            + "((`région` = 'Bretagne') AND (lower(`plan``tier`) IN ('gold'))))");
    assertThatThrownBy(() -> Predicates.check("--where", "income.usd > 1", ODD, "odd"))
        .isInstanceOf(Predicates.Refused.class)
        .hasMessage("--where: column 'income.usd' of odd has a dot in its name: quote it as "
            + "`income.usd` (a dot outside backticks reads a struct field)");
    assertThatThrownBy(() -> Predicates.check("--where", "`plan`tier` = 'a'", ODD, "odd"))
        .isInstanceOf(Predicates.Refused.class)
        .hasMessageStartingWith("--where: not a SQL predicate: ");
  }

  @Test
  void otherPartsAreRefusedByName() {
    String holds = " is not allowed in a filter; a filter holds columns, literals, comparisons, "
        + "AND/OR/NOT, IN, BETWEEN, IS [NOT] NULL, LIKE, CASE, CAST, arithmetic and the allowed "
        + "functions";
    assertThatThrownBy(() -> check("cat[0] = 'a'"))
        .hasMessage("--current-where: 'cat[0]' (UnresolvedExtractValue)" + holds);
    assertThatThrownBy(() -> check("IDENTIFIER('x') = 1")).hasMessage("--current-where: "
        + "'expressionwithunresolvedidentifier('x')' (ExpressionWithUnresolvedIdentifier)" + holds);
    assertThatThrownBy(() -> check("x IN (age, 1)"))
        .hasMessage("--current-where: IN lists in a filter hold literals only, not 'age'");
    assertThatThrownBy(() -> check("lower(DISTINCT cat) = 'a'"))
        .hasMessage("--current-where: DISTINCT or FILTER in function 'lower' is not allowed in a "
            + "filter");
    assertThatThrownBy(() -> check("x > 1; DROP TABLE production"))
        .hasMessage("--current-where: not a SQL predicate: [PARSE_SYNTAX_ERROR] Syntax error at "
            + "or near ';'. SQLSTATE: 42601 (line 1, pos 5)");
  }

  @Test
  void theAllowListHoldsNoFunctionThatReadsOutsideItsArguments() {
    assertThat(Predicates.FUNCTIONS).doesNotContain("java_method", "reflect", "try_reflect",
        "rand", "randn", "uuid", "current_date", "current_timestamp", "now", "unix_timestamp",
        "input_file_name", "monotonically_increasing_id", "spark_partition_id", "assert_true",
        "raise_error", "from_json", "exists", "filter", "transform", "aggregate");
  }
}
