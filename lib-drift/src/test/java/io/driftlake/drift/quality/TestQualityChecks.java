package io.driftlake.drift.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TestQualityChecks {
  static final CheckSettings DEFAULTS = settings("");

  static CheckSettings settings(String hocon) {
    return DriftSettings.from(ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference())).checks();
  }

  /** A profile as SparkProfiler builds it: nulls and NaN apart, one fine bin per key. */
  static NumericProfile numeric(String feature, Double... values) {
    long nulls = 0;
    long nans = 0;
    TreeMap<Long, NumericProfile.Bin> bins = new TreeMap<>();
    for (Double v : values) {
      if (v == null) {
        nulls++;
      } else if (v.isNaN()) {
        nans++;
      } else {
        double finite = Double.isFinite(v) ? v : 0.0;
        bins.merge(FineBins.key(v), new NumericProfile.Bin(1, v, v, finite, finite * finite),
            NumericProfile.Bin::merge);
      }
    }
    return new NumericProfile(feature, values.length, nulls, nans, bins);
  }

  static CategoricalProfile categorical(String feature, String... values) {
    long nulls = 0;
    TreeMap<String, Long> counts = new TreeMap<>();
    for (String v : values) {
      if (v == null) {
        nulls++;
      } else {
        counts.merge(v, 1L, Long::sum);
      }
    }
    return new CategoricalProfile(feature, values.length, nulls, counts);
  }

  static List<CheckResult> run(CheckSettings settings, FeatureProfile reference,
                               FeatureProfile current) {
    return QualityChecks.run(settings, Map.of(), Map.of(),
        Map.of(reference.feature(), reference), Map.of(current.feature(), current));
  }

  static CheckResult only(List<CheckResult> results, String check) {
    List<CheckResult> found = results.stream().filter(r -> r.check().equals(check)).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  @Test
  void numericNullShareAndOutOfRangeAreExactWhenNoBinStraddlesTheRange() {
    // Reference range [1, 10]; current 0.5 (below), 11 and 12 (above), 2 and 3 (inside), 2 nulls.
    List<CheckResult> results = run(DEFAULTS,
        numeric("x", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0),
        numeric("x", 0.5, 2.0, 3.0, 11.0, 12.0, null, null));
    assertThat(results).extracting(CheckResult::check)
        .containsExactly("null_share_change", "out_of_range_share");
    CheckResult nulls = results.get(0);
    assertThat(nulls.value()).isCloseTo(2.0 / 7, within(1e-15));
    assertThat(nulls.threshold()).isEqualTo(0.05);
    assertThat(nulls.failed()).isTrue();
    assertThat(nulls.detail()).isEqualTo("null or NaN share 0 in the reference (0 of 10 rows), "
        + "0.285714 in the current selection (2 of 7 rows); fails when |change| > 0.05");
    assertThat(results.get(1)).isEqualTo(new CheckResult("out_of_range_share", "x", 0.6, 0.1, true,
        "3 of 5 current values outside the reference range [1, 10]; fails when share > 0.1"));
  }

  @Test
  void aBinThatStraddlesTheReferenceMinIsCountedWholeAndTheDetailSaysSo() {
    // 100.1 and 100.2 share the fine bin [100, 100.5) with the reference min 100.2; 100.3 too.
    assertThat(FineBins.key(100.1)).isEqualTo(FineBins.key(100.2)).isEqualTo(FineBins.key(100.3));
    assertThat(FineBins.key(201)).isGreaterThan(FineBins.key(200));
    NumericProfile reference = numeric("x", 100.2, 150.0, 200.0);
    // Bin of 100.2 holds 100.1 (outside) and 100.2 (inside): 1 certainly out, 2 at most.
    CheckResult straddling = only(run(DEFAULTS, reference, numeric("x", 100.1, 100.2, 150.0)),
        "out_of_range_share");
    assertThat(straddling.value()).isCloseTo(2.0 / 3, within(1e-15));
    assertThat(straddling.detail()).isEqualTo("between 1 and 2 of 3 current values outside the "
        + "reference range [100.2, 200] (share 0.333333 to 0.666667): exact up to one fine bin at "
        + "each end of the range, whose values are all counted as outside; fails when share > 0.1");
    // The same fine bin holding only 100.3: its own min decides it lies wholly inside.
    CheckResult inside = only(run(DEFAULTS, reference, numeric("x", 100.3, 150.0, 201.0)),
        "out_of_range_share");
    assertThat(inside.value()).isCloseTo(1.0 / 3, within(1e-15));
    assertThat(inside.detail()).startsWith("1 of 3 current values outside the reference range "
        + "[100.2, 200];");
  }

  @Test
  void constantReferenceColumnHasARangeOfOneValue() {
    NumericProfile reference = numeric("c", 5.0, 5.0, 5.0);
    CheckResult same = only(run(DEFAULTS, reference, numeric("c", 5.0, 5.0)), "out_of_range_share");
    assertThat(same).isEqualTo(new CheckResult("out_of_range_share", "c", 0.0, 0.1, false,
        "0 of 2 current values outside the reference range [5, 5]; fails when share > 0.1"));
    // 5.01 falls into the fine bin of 5: that bin straddles the max, so 1 to 2 of 2 are outside.
    CheckResult near = only(run(DEFAULTS, reference, numeric("c", 5.0, 5.01)), "out_of_range_share");
    assertThat(near.value()).isEqualTo(1.0);
    assertThat(near.detail()).startsWith("between 1 and 2 of 2 current values outside the "
        + "reference range [5, 5]");
  }

  @Test
  void infinitiesAreValuesOutsideAFiniteRangeAndNaNCountsAsMissing() {
    List<CheckResult> results = run(DEFAULTS, numeric("x", 1.0, 2.0, 3.0),
        numeric("x", 2.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN));
    assertThat(results.get(0).value()).isEqualTo(0.25);
    assertThat(results.get(1)).isEqualTo(new CheckResult("out_of_range_share", "x", 2.0 / 3, 0.1,
        true, "2 of 3 current values outside the reference range [1, 3]; fails when share > 0.1"));
    // A reference reaching +∞ has no upper end; the detail writes it without "Infinity".
    CheckResult open = only(run(DEFAULTS, numeric("x", 1.0, Double.POSITIVE_INFINITY),
        numeric("x", 1e300)), "out_of_range_share");
    assertThat(open).isEqualTo(new CheckResult("out_of_range_share", "x", 0.0, 0.1, false,
        "0 of 1 current values outside the reference range [1, +∞]; fails when share > 0.1"));
  }

  /** Timestamps are profiled as epoch seconds, dates as epoch days: the range reads as such. */
  @Test
  void outOfRangeOfTimestampsAndDatesSpeaksInInstantsAndDates() {
    double jan1 = 1_735_689_600; // 2025-01-01T00:00:00Z
    List<CheckResult> ts = QualityChecks.run(DEFAULTS, Map.of("ts", "timestamp"),
        Map.of("ts", "timestamp"), Map.of("ts", numeric("ts", jan1, jan1 + 86_400.5)),
        Map.of("ts", numeric("ts", jan1 + 365 * 86_400, jan1 + 3600)));
    assertThat(only(ts, "out_of_range_share")).isEqualTo(new CheckResult("out_of_range_share",
        "ts", 0.5, 0.1, true, "1 of 2 current values outside the reference range "
            + "[2025-01-01T00:00:00Z, 2025-01-02T00:00:00.500Z]; fails when share > 0.1"));
    List<CheckResult> day = QualityChecks.run(DEFAULTS, Map.of("day", "date"),
        Map.of("day", "date"), Map.of("day", numeric("day", 20_089.0, 20_453.0)),
        Map.of("day", numeric("day", 20_454.0)));
    assertThat(only(day, "out_of_range_share").detail()).isEqualTo("1 of 1 current values "
        + "outside the reference range [2025-01-01, 2025-12-31]; fails when share > 0.1");
  }

  @Test
  void anEmptyCurrentSelectionIsNotComputableNotAnError() {
    List<CheckResult> numbers = run(DEFAULTS, numeric("x", 1.0, 2.0), numeric("x"));
    assertThat(numbers).containsExactly(
        new CheckResult("null_share_change", "x", null, 0.05, false,
            "not computable: the current selection has no rows"),
        new CheckResult("out_of_range_share", "x", null, 0.1, false,
            "not computable: the current selection has no non-null values"));
    List<CheckResult> categories = run(DEFAULTS, categorical("c", "a"), categorical("c"));
    assertThat(categories).extracting(CheckResult::detail).containsExactly(
        "not computable: the current selection has no rows",
        "not computable: the current selection has no non-null values",
        "not computable: the current selection has no non-null values");
    assertThat(categories).extracting(CheckResult::failed).containsOnly(false);
  }

  @Test
  void allNullColumnsChangeTheNullShareAndHaveNoRangeOrCategories() {
    List<CheckResult> numbers = run(DEFAULTS, numeric("x", 1.0, null, 3.0, 4.0),
        numeric("x", null, null, null));
    assertThat(numbers.get(0).value()).isEqualTo(0.75); // 3/3 − 1/4
    assertThat(numbers.get(0).failed()).isTrue();
    assertThat(numbers.get(1).detail())
        .isEqualTo("not computable: the current selection has no non-null values");
    List<CheckResult> categories = run(DEFAULTS, categorical("c", null, null),
        categorical("c", "a", null));
    assertThat(categories.get(0).value()).isEqualTo(-0.5);
    assertThat(categories).extracting(CheckResult::detail).endsWith(
        "not computable: the reference has no non-null values",
        "not computable: the reference has no non-null values");
  }

  @Test
  void newAndVanishedCategoriesAreCountedAndNamedWithPerFeatureLimits() {
    CheckSettings settings = settings("driftlake.drift.checks.features.colour.vanished-categories = 2");
    List<CheckResult> results = run(settings,
        categorical("colour", "a", "a", "a", "a", "a", "b", "b", "b", "c", "c"),
        categorical("colour", "a", "a", "a", "a", "d", "d", "e"));
    assertThat(results).containsExactly(
        new CheckResult("null_share_change", "colour", 0.0, 0.05, false, "null or NaN share 0 in "
            + "the reference (0 of 10 rows), 0 in the current selection (0 of 7 rows); fails when "
            + "|change| > 0.05"),
        new CheckResult("new_categories", "colour", 2.0, 0.0, true, "2 categories the reference "
            + "lacks: 'd' (2 rows), 'e' (1 row); fails when more than 0"),
        new CheckResult("vanished_categories", "colour", 2.0, 2.0, false, "2 reference "
            + "categories the current selection lacks: 'b' (3 rows), 'c' (2 rows); fails when "
            + "more than 2"));
    CheckResult none = only(run(DEFAULTS, categorical("c", "a", "b"), categorical("c", "b")),
        "new_categories");
    assertThat(none.detail()).isEqualTo("no current category is new; fails when more than 0");
    assertThat(none.failed()).isFalse();
  }

  /** A top-k profile: {@code kept} as category, count pairs, {@code folded} values in "other". */
  static CategoricalProfile capped(String feature, long folded, Object... kept) {
    TreeMap<String, Long> counts = new TreeMap<>();
    for (int i = 0; i < kept.length; i += 2) {
      counts.put((String) kept[i], ((Number) kept[i + 1]).longValue());
    }
    long rows = counts.values().stream().mapToLong(Long::longValue).sum() + folded;
    return new CategoricalProfile(feature, rows, 0, counts, folded, null);
  }

  @Test
  void cappedProfilesNeverCallAFoldedCategoryNewOrVanished() {
    // The reference kept a and b; c may be among its 3 folded values, so c is not known to be new.
    CategoricalProfile reference = capped("city", 3, "a", 5, "b", 4);
    CategoricalProfile current = categorical("city", "a", "a", "c");
    List<CheckResult> results = run(DEFAULTS, reference, current);
    assertThat(only(results, "new_categories")).isEqualTo(new CheckResult("new_categories",
        "city", null, 0.0, false, "not computable: the reference profile keeps only its 2 most "
            + "frequent categories (3 values folded into 'other'), so a category missing from "
            + "them may still be there; see driftlake.drift.profile.max-categories"));
    // b is kept in the reference and absent from the complete current profile: surely vanished,
    // and more may hide among the reference's folded values.
    assertThat(only(results, "vanished_categories")).isEqualTo(new CheckResult(
        "vanished_categories", "city", 1.0, 0.0, true, "at least 1 reference category the "
            + "current selection lacks: 'b' (4 rows); the reference profile keeps only its 2 "
            + "most frequent categories (3 values folded into 'other' are not compared); fails "
            + "when more than 0"));

    // A lower bound within the limit does not say the check passes.
    CheckSettings lenient = settings("driftlake.drift.checks.vanished-categories = 1");
    assertThat(only(run(lenient, reference, current), "vanished_categories").detail())
        .isEqualTo("not computable: at least 1, but the reference profile keeps only its 2 most "
            + "frequent categories (3 values folded into 'other' are not compared); see "
            + "driftlake.drift.profile.max-categories");
    // Nothing missing from a kept top-k of the current side is new when the reference is complete.
    assertThat(only(run(DEFAULTS, categorical("city", "a", "b", "c"), capped("city", 7, "a", 9)),
        "new_categories").detail()).isEqualTo("not computable: at least 0, but the current "
            + "selection profile keeps only its most frequent category (7 values folded into "
            + "'other' are not compared); see driftlake.drift.profile.max-categories");
  }

  @Test
  void categoryShareOfACategoryACappedProfileFoldedIsNotComputable() {
    CheckSettings settings = settings("""
        driftlake.drift.checks.rules = [
          { check = category_share, feature = city, category = "c", min = 0.1 },
          { check = category_share, feature = city, category = "a", max = 0.4 }
        ]""");
    List<CheckResult> rules = run(settings, capped("city", 3, "a", 5, "b", 4),
        capped("city", 3, "a", 5, "b", 2)).stream()
        .filter(r -> r.check().equals("category_share")).toList();
    // c may be among the 3 folded values: its share is unknown, not 0.
    assertThat(rules.get(0)).isEqualTo(new CheckResult("category_share", "city", null, 0.1, false,
        "not computable: 'c' is not among the 2 most frequent categories the current profile "
            + "keeps (3 values folded into 'other' may hold it); see "
            + "driftlake.drift.profile.max-categories"));
    // A kept category's count is exact.
    assertThat(rules.get(1)).isEqualTo(new CheckResult("category_share", "city", 0.5, 0.4, true,
        "'a': 5 of 10 current values (share 0.5; reference share 0.416667); fails when "
            + "share > 0.4"));
  }

  @Test
  void categoryShareRulesBoundTheShareOfOneClass() {
    CheckSettings settings = settings("""
        driftlake.drift.checks.rules = [
          { check = category_share, feature = prediction, category = "1", max = 0.6 },
          { check = category_share, feature = prediction, category = "0", min = 0.4 },
          { check = category_share, feature = score, category = "1", max = 0.8 },
          { check = category_share, feature = score, category = "2", max = 0.8 }
        ]""");
    Map<String, FeatureProfile> reference = new LinkedHashMap<>();
    reference.put("prediction", categorical("prediction", "0", "0", "0", "1", "1"));
    reference.put("score", numeric("score", 0.0, 1.0));
    Map<String, FeatureProfile> current = new LinkedHashMap<>();
    current.put("prediction", categorical("prediction", "0", "0", "0", "1", "1", "1", "1", null));
    current.put("score", numeric("score", 1.0, 1.0, 1.0, 0.0));
    List<CheckResult> rules = QualityChecks.run(settings, Map.of(), Map.of(), reference, current)
        .stream().filter(r -> r.check().equals("category_share")).toList();
    assertThat(rules).containsExactly(
        new CheckResult("category_share", "prediction", 4.0 / 7, 0.6, false,
            "'1': 4 of 7 current values (share 0.571429; reference share 0.4); fails when share > 0.6"),
        new CheckResult("category_share", "prediction", 3.0 / 7, 0.4, false,
            "'0': 3 of 7 current values (share 0.428571; reference share 0.6); fails when share < 0.4"),
        new CheckResult("category_share", "score", 0.75, 0.8, false,
            "'1': 3 of 4 current values (share 0.75; reference share 0.5); fails when share > 0.8"),
        new CheckResult("category_share", "score", 0.0, 0.8, false,
            "'2': 0 of 4 current values (share 0; reference share 0); fails when share > 0.8"));
    // 1.001 shares the fine bin of 1: the count of exactly 1 is not known from the profile.
    current.put("score", numeric("score", 1.0, 1.001));
    CheckResult unknown = QualityChecks.run(settings, Map.of(), Map.of(), reference, current)
        .stream().filter(r -> r.check().equals("category_share")).toList().get(2);
    assertThat(unknown).isEqualTo(new CheckResult("category_share", "score", null, 0.8, false,
        "not computable: value 1 shares its fine bin with other current values (1 to 1.001), so "
            + "its count is not known exactly"));
  }

  @Test
  void schemaDifferencesAreResultsAndRetypedColumnsSayWhetherTheyWereCompared() {
    Map<String, String> reference = new LinkedHashMap<>();
    reference.put("id", "string");
    reference.put("x", "double");
    reference.put("y", "int");
    reference.put("z", "double");
    Map<String, String> current = new LinkedHashMap<>();
    current.put("id", "string");
    current.put("x", "string");
    current.put("y", "bigint");
    current.put("w", "double");
    List<CheckResult> results = QualityChecks.run(settings("driftlake.drift.checks.schema = false"),
        reference, current, Map.of("y", numeric("y", 1.0)), Map.of("y", numeric("y", 1.0)));
    assertThat(results.subList(0, 4)).containsExactly(
        new CheckResult("column_removed", "z", null, null, false,
            "column 'z' (double) is only in the reference"),
        new CheckResult("column_added", "w", null, null, false,
            "column 'w' (double) is only in the current selection"),
        new CheckResult("column_retyped", "x", null, null, false,
            "column 'x' is double in the reference but string in the current selection; not compared"),
        new CheckResult("column_retyped", "y", null, null, false, "column 'y' is int in the "
            + "reference but bigint in the current selection; still compared (same feature type)"));
    assertThat(results.subList(4, results.size())).extracting(CheckResult::check)
        .containsExactly("null_share_change", "out_of_range_share");
    assertThat(QualityChecks.run(DEFAULTS, reference, current, Map.of(), Map.of()))
        .extracting(CheckResult::failed).containsOnly(true);
  }

  @Test
  void limitsAndRulesMustFitTheColumnTypeButMayNameAnotherTablesColumn() {
    NumericProfile income = numeric("income", 1.0);
    // One configuration serves drift runs over several tables: a limit for a column neither
    // selection has does not apply, and a rule on one is a result that says so, not an error.
    assertThat(run(settings("driftlake.drift.checks.features.prediction.out-of-range-share = 0.2"),
        income, income)).extracting(CheckResult::threshold).containsExactly(0.05, 0.10);
    assertThat(run(settings("driftlake.drift.checks.rules = "
        + "[{ check = category_share, feature = prediction, category = \"1\", max = 0.5 }]"),
        income, income).get(2)).isEqualTo(new CheckResult("category_share", "prediction", null,
            0.5, false, "not computable: no column 'prediction' in either selection "
                + "(driftlake.drift.checks.rules[0]); columns: [income]"));
    assertThatThrownBy(() -> run(settings("driftlake.drift.checks.features.income.new-categories = 1"),
        income, income))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.checks.features.income.new-categories: check 'new_categories' "
            + "does not apply to numeric column 'income' (it applies to [categorical])");
    assertThatThrownBy(() -> run(settings("driftlake.drift.checks.rules = "
        + "[{ check = category_share, feature = income, category = high, max = 0.5 }]"), income, income))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("driftlake.drift.checks.rules[0].category: 'high' is not a number, and column "
            + "'income' is numeric");
    // A column present on one side only is reported by the schema checks; its rule is not computable.
    CheckResult missing = QualityChecks.run(settings("driftlake.drift.checks.rules = "
            + "[{ check = category_share, feature = prediction, category = \"1\", max = 0.5 }]"),
        Map.of("income", "double"), Map.of("income", "double", "prediction", "int"),
        Map.of("income", income), Map.of("income", income)).get(3);
    assertThat(missing).isEqualTo(new CheckResult("category_share", "prediction", null, 0.5, false,
        "not computable: column 'prediction' is not compared (it is not in both selections with "
            + "one feature type)"));
  }
}
