package io.driftlake.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.SliceDrift;
import io.driftlake.drift.report.DriftReportHtml;
import io.driftlake.drift.report.DriftReportJson;
import io.driftlake.drift.report.ReportRun;
import io.driftlake.drift.store.DeltaVersionStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import io.driftlake.drift.spark.Predicates;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.drift.testing.SliceData;
import io.driftlake.drift.testing.SortBased;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slice drift on two versions of a real Delta table: a mean shift of one feature injected only
 * in the {@code channel = app} rows must be found there, in that feature alone, and ranked first;
 * every slice's KS statistic (and the whole data's) must match an independent two-sample KS
 * computed here from the raw rows.
 */
@ExtendWith(LocalSpark.class)
class TestSliceDrift {
  private static final StructType SCHEMA = SliceData.SCHEMA;
  private static final int ROWS = 3000;

  static List<Row> rows(long seed, double shift) {
    return SliceData.rows(seed, ROWS, shift);
  }

  @ParameterizedTest
  @ValueSource(strings = {"exact", "approximate"})
  void aShiftInsideOneSliceIsFoundThereAndRankedFirst(String mode, SparkSession spark,
                                                      @TempDir Path dir) {
    List<Row> reference = rows(1, 0);
    List<Row> current = rows(2, 1.0);
    String table = dir.resolve("t").toString();
    spark.createDataFrame(reference, SCHEMA).write().format("delta").save(table);
    spark.createDataFrame(current, SCHEMA).write().format("delta").mode("overwrite").save(table);

    DriftResult result = Drift.between(new DeltaVersionStore(spark),
        DeltaVersionStore.version(table, 0), DeltaVersionStore.version(table, 1))
        .settings(ConfigFactory.parseString("driftlake.drift { statistics-mode = " + mode
            + ", slices = [channel, \"age > 60\"] }")).run();

    List<SliceDrift> ranked = result.report().slices().ranked();
    assertThat(ranked).extracting(SliceDrift::slice).containsExactlyInAnyOrder(
        "channel = app", "channel = store", "channel = web", "age > 60");
    SliceDrift first = ranked.get(0);
    assertThat(first.slice()).isEqualTo("channel = app");
    assertThat(first.rank()).isEqualTo(1);
    assertThat(first.report().driftedFeatures()).extracting(FeatureDrift::feature)
        .containsExactly("x");
    assertThat(first.rowShare()).isCloseTo(1000.0 / 3000, within(1e-12));
    assertThat(first.impact()).isCloseTo(1000.0 / 3000 / 4, within(1e-12));
    for (String channel : List.of("web", "store")) {
      SliceDrift other = slice(ranked, "channel = " + channel);
      assertThat(other.report().driftedFeatures()).isEmpty();
      assertThat(other.impact()).isZero();
    }
    assertThat(result.report().slices().skipped()).isEmpty();

    // Every slice's KS D against an independent two-sample computation over its raw rows.
    for (SliceDrift s : ranked) {
      Predicate<Row> in = r -> SliceData.in(r, s.slice());
      long refRows = reference.stream().filter(in).count();
      assertThat(s.report().referenceRows()).isEqualTo(refRows);
      assertThat(s.report().currentRows()).isEqualTo(current.stream().filter(in).count());
      for (String feature : List.of("x", "y")) {
        int at = feature.equals("x") ? 1 : 2;
        double d = SortBased.ks(SliceData.values(reference, s.slice(), at),
            SliceData.values(current, s.slice(), at));
        assertKs(method(s.report().features(), feature, "ks"), d, s.slice() + " " + feature);
      }
    }
    // The whole data: the app rows' shift is a third of x, diluted; as the rows say.
    double whole = SortBased.ks(SliceData.values(reference, "all", 1),
        SliceData.values(current, "all", 1));
    assertKs(method(result.report().features(), "x", "ks"), whole, "whole x");
    assertReports(result);
  }

  /** drift.json and drift.html carry the ranking: the same slices, in the same order. */
  private static void assertReports(DriftResult result) {
    ReportRun run = new ReportRun("run-1", Instant.parse("2026-12-07T06:00:00Z"),
        new ReportRun.Side("t@0", "t", 0, "snapshot", ROWS),
        new ReportRun.Side("t@1", "t", 1, "snapshot", ROWS), result);
    List<SliceDrift> ranked = result.report().slices().ranked();
    JsonNode slices;
    try {
      slices = new ObjectMapper().readTree(DriftReportJson.render(run)).get("slices");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(slices.get("ranked")).hasSize(4);
    JsonNode first = slices.get("ranked").get(0);
    assertThat(first.get("slice").asText()).isEqualTo("channel = app");
    assertThat(first.get("spec").asText()).isEqualTo("channel");
    assertThat(first.get("impact").asDouble()).isEqualTo(ranked.get(0).impact());
    assertThat(first.get("drifted_features").toString()).isEqualTo("[\"x\"]");
    assertThat(first.get("features")).hasSize(4);
    assertThat(slices.get("skipped")).isEmpty();

    String html = DriftReportHtml.render(run);
    assertThat(html).contains("<h2 id=\"slices\">");
    // The first bar is the longest (320 px), the others in proportion to their impact.
    assertThat(html).contains("<rect x=\"200\" y=\"11.0\" width=\"320.0\" height=\"16\" "
        + "class=\"cur\"><title>channel = app: impact");
    assertThat(html).contains("<td>x (psi ");
  }

  @Test
  void aSliceSpecIsDataOverTheTablesOwnColumns(SparkSession spark) {
    Dataset<Row> data = spark.createDataFrame(rows(1, 0), SCHEMA);
    String key = "driftlake.drift.slices";
    assertThatThrownBy(() -> run(data, "[\"agee > 60\"]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(key + " 'agee > 60': column 'agee' is not a column of the reference; "
            + "columns: [channel, x, y, age]");
    assertThatThrownBy(() -> run(data, "[chanel]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(key + " 'chanel': column 'chanel' is not a column of the reference; "
            + "columns: [channel, x, y, age]");
    assertThatThrownBy(() -> run(data, "[\"x > rand()\"]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(key + " 'x > rand()': function 'rand' is not allowed in a filter; allowed: "
            + Predicates.FUNCTIONS);
    assertThatThrownBy(() -> run(data, "[\"age in (select 1)\"]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(key + " 'age in (select 1)': subqueries are not allowed in a filter");
    assertThatThrownBy(() -> run(data, "[\"age + 1\"]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(key + ": 'age + 1' is a int, not a predicate (a boolean) nor a column name");
  }

  @Test
  void aColumnWithTooManyValuesAndModeProfilesAreListedAsSkipped(SparkSession spark) {
    Dataset<Row> data = spark.createDataFrame(rows(1, 0), SCHEMA);
    DriftResult many = run(data, "[age, channel]");
    assertThat(many.report().slices().skipped()).extracting(s -> s.spec() + ": " + s.reason())
        .containsExactly("age: column has more than 20 values "
            + "(driftlake.drift.slice-max-values = 20); slice it with predicates instead");
    assertThat(many.report().slices().ranked()).hasSize(3);

    DriftResult profiles = Drift.between(data, data).settings(ConfigFactory.parseString(
        "driftlake.drift { statistics-mode = profiles, slices = [channel] }")).run();
    assertThat(profiles.report().slices().ranked()).isEmpty();
    assertThat(profiles.report().slices().skipped()).extracting(s -> s.spec() + ": " + s.reason())
        .containsExactly("channel: statistics-mode profiles reads no data row, and slice "
            + "profiles are not stored: slices need a scan (run in exact or approximate mode)");
  }

  private static DriftResult run(Dataset<Row> data, String slices) {
    return Drift.between(data, data)
        .settings(ConfigFactory.parseString("driftlake.drift.slices = " + slices)).run();
  }

  private static void assertKs(MethodResult ks, double d, String what) {
    String lower = ks.conventions().get("score_lower");
    if (lower == null) { // exact
      assertThat(ks.score()).as(what).isCloseTo(d, within(1e-12));
    } else { // the histogram estimate: the true D lies in its interval
      assertThat(d).as(what).isBetween(Double.parseDouble(lower),
          Double.parseDouble(ks.conventions().get("score_upper")));
    }
  }

  private static SliceDrift slice(List<SliceDrift> ranked, String name) {
    return ranked.stream().filter(s -> s.slice().equals(name)).findFirst().orElseThrow();
  }

  private static MethodResult method(List<FeatureDrift> features, String feature, String id) {
    return features.stream().filter(f -> f.feature().equals(feature)).findFirst().orElseThrow()
        .results().stream().filter(r -> r.method().equals(id)).findFirst().orElseThrow();
  }
}
