package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.RunStatus;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileJob;
import io.driftlake.jobs.profile.ProfileStore;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One column of every type through the drift job on real Delta tables: timestamps, dates,
 * booleans and decimals are compared, every other column is listed as skipped with its type or
 * role, and a side with fewer rows than {@code driftlake.drift.min-rows} is not computable.
 *
 * <p>Table t: version 0 (the reference) and version 1 (the current rows) have 2000 rows each,
 * made by formulas (no random generator) so that scipy reproduces them: with i = 0..1999,
 * <ul>
 *   <li>ts: 2025-01-01T00:00:00Z + (7919 i mod 2592000) s + (i mod 1000) ms; current the same
 *       one year (365 days) later;</li>
 *   <li>day: 2025-01-01 + (37 i mod 365) days; current 2025-01-31 + (53 i mod 400) days;</li>
 *   <li>amount: 10 + (7 i mod 1000) / 100 as decimal(12,2); current
 *       12 + (11 i mod 1000) / 100;</li>
 *   <li>flag: i mod 3 == 0; current i mod 2 == 0.</li>
 * </ul>
 * The goldens are scipy 1.17's {@code stats.ks_2samp(...).statistic} and
 * {@code stats.wasserstein_distance(...) / np.std(reference)} on those arrays (timestamps as
 * epoch seconds, dates as epoch days).
 */
@ExtendWith(LocalSpark.class)
class TestDriftColumnTypes {
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType)
      .add("ts", DataTypes.TimestampType)
      .add("day", DataTypes.DateType)
      .add("flag", DataTypes.BooleanType)
      .add("amount", DataTypes.createDecimalType(12, 2))
      .add("x", DataTypes.DoubleType)
      .add("cat", DataTypes.StringType)
      .add("blob", DataTypes.BinaryType)
      .add("tags", DataTypes.createArrayType(DataTypes.StringType))
      .add("attrs", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
      .add("addr", new StructType().add("city", DataTypes.StringType)
          .add("zip", DataTypes.StringType));

  private static final long T0 = Instant.parse("2025-01-01T00:00:00Z").getEpochSecond();
  private static final long DAY0 = LocalDate.parse("2025-01-01").toEpochDay();
  private static final long YEAR = 365L * 86_400;

  // scipy.stats.ks_2samp(...).statistic, and scipy.stats.wasserstein_distance / numpy.std of
  // the reference (the reported Wasserstein is normalised by the reference's std, ddof 0).
  private static final double DAY_KS = 0.1625;
  private static final double DAY_W1 = 0.4541762629023976;
  private static final double AMOUNT_KS = 0.2;
  private static final double AMOUNT_W1 = 0.6928206694379726;
  private static final double TS_KS = 1.0;
  private static final double TS_W1 = 41.63965028516015;
  private static final double FLAG_TVD = 0.16649999999999998;
  /** numpy: current days outside [min, max] of the reference days. */
  private static final int DAY_OUT_OF_RANGE = 325;

  private static Dataset<Row> batch(SparkSession spark, boolean current) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      Instant ts = Instant.ofEpochSecond(T0 + (i * 7919L) % 2_592_000, (i % 1000) * 1_000_000L);
      LocalDate day = LocalDate.ofEpochDay(current ? DAY0 + 30 + (i * 53) % 400
          : DAY0 + (i * 37) % 365);
      BigDecimal amount = current ? BigDecimal.valueOf(1200 + (i * 11) % 1000, 2)
          : BigDecimal.valueOf(1000 + (i * 7) % 1000, 2);
      rows.add(RowFactory.create((long) (current ? 2000 + i : i),
          java.sql.Timestamp.from(current ? ts.plusSeconds(YEAR) : ts),
          java.sql.Date.valueOf(day), current ? i % 2 == 0 : i % 3 == 0, amount,
          Math.sin(i), "c" + i % 7, new byte[] {(byte) i}, List.of("a" + i % 3),
          Map.of("k", "v" + i % 4), RowFactory.create("city" + i % 5, "z" + i % 9)));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static MethodResult result(DriftRun run, String feature, String method) {
    return feature(run, feature).results().stream().filter(r -> r.method().equals(method))
        .findFirst().orElseThrow();
  }

  private static FeatureDrift feature(DriftRun run, String feature) {
    return run.report().features().stream().filter(f -> f.feature().equals(feature))
        .findFirst().orElseThrow();
  }

  private static CheckResult check(DriftRun run, String feature, String check) {
    return run.checks().stream().filter(c -> c.feature().equals(feature)
        && c.check().equals(check)).findFirst().orElseThrow();
  }

  @Test
  void everyTypeIsComparedOrListedAsSkippedAndTinySidesAreNotComputable(SparkSession spark,
                                                                         @TempDir Path dir)
      throws Exception {
    Lake lake = new Lake(spark, TestLakes.settings(dir,
        "driftlake.schema.key = id\ndriftlake.drift.min-rows = 100\n"));
    IngestJob.ingest(lake, "t", batch(spark, false), "b0", "run");
    IngestJob.ingest(lake, "t", batch(spark, true), "b1", "run");
    // The reference's profiles are stored first: the drift runs read them back.
    assertThat(ProfileJob.profile(lake, TableRef.parse("t@0"), "profile-0").source())
        .isEqualTo(ProfileStore.Source.SCANNED);
    Path reports = dir.resolve("reports");
    TableRef reference = TableRef.parse("t@0");
    TableRef added = TableRef.parse("t@1:added");

    // Exact mode, both sides read as columnar scans.
    DriftRun exact = DriftJob.run(lake, Optional.of(reference), Optional.of(added),
        Optional.of(reports.resolve("exact")), "types-exact",
        Optional.of(DriftSettings.StatisticsMode.EXACT));
    assertThat(exact.referenceProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(exact.report().features()).extracting(FeatureDrift::feature, FeatureDrift::type)
        .containsExactlyInAnyOrder(tuple("ts", FeatureType.NUMERIC),
            tuple("day", FeatureType.NUMERIC), tuple("flag", FeatureType.CATEGORICAL),
            tuple("amount", FeatureType.NUMERIC), tuple("x", FeatureType.NUMERIC),
            tuple("cat", FeatureType.CATEGORICAL));
    assertThat(result(exact, "day", "ks").score()).isCloseTo(DAY_KS, within(1e-12));
    assertThat(result(exact, "day", "wasserstein").score()).isCloseTo(DAY_W1, within(1e-9));
    assertThat(result(exact, "amount", "ks").score()).isCloseTo(AMOUNT_KS, within(1e-12));
    assertThat(result(exact, "amount", "wasserstein").score()).isCloseTo(AMOUNT_W1,
        within(1e-9));
    // A year's jump: every current instant lies past every reference one.
    assertThat(result(exact, "ts", "ks").score()).isEqualTo(TS_KS);
    assertThat(result(exact, "ts", "wasserstein").score()).isCloseTo(TS_W1, within(1e-7));
    assertThat(feature(exact, "ts").verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(result(exact, "flag", "tvd").score()).isCloseTo(FLAG_TVD, within(1e-12));
    assertThat(result(exact, "ts", "ks").conventions()).containsEntry("values",
        FeatureSpecs.TIMESTAMP_VALUES);
    assertThat(result(exact, "day", "psi").conventions()).containsEntry("values",
        FeatureSpecs.DATE_VALUES);
    assertThat(result(exact, "amount", "wasserstein").conventions()).containsEntry("values",
        "decimal(12,2) as double");
    assertThat(result(exact, "x", "ks").conventions()).doesNotContainKey("values");

    // Out of range, in instants and dates.
    CheckResult ts = check(exact, "ts", "out_of_range_share");
    assertThat(ts.value()).isEqualTo(1.0);
    assertThat(ts.failed()).isTrue();
    assertThat(ts.detail()).isEqualTo("2000 of 2000 current values outside the reference range "
        + "[2025-01-01T00:00:00Z, " + Instant.ofEpochSecond(T0 + maxOffset(), maxMillis()
            * 1_000_000L) + "]; fails when share > 0.1");
    CheckResult day = check(exact, "day", "out_of_range_share");
    assertThat(day.detail()).contains("outside the reference range [2025-01-01, 2025-12-31]");
    assertThat(day.value()).isGreaterThanOrEqualTo((double) DAY_OUT_OF_RANGE / 2000);

    // Skipped, with type or role, in the report, drift.json and the HTML.
    List<List<String>> skipped = List.of(List.of("id", "bigint", "role: key"),
        List.of("blob", "binary", "type binary"),
        List.of("tags", "array<string>", "type array<string>"),
        List.of("attrs", "map<string,string>", "type map<string,string>"),
        List.of("addr", "struct<city:string,zip:string>", "type struct<city:string,zip:string>"));
    assertThat(exact.report().skipped()).extracting(c -> List.of(c.column(), c.type(), c.reason()))
        .containsExactlyElementsOf(skipped);
    JsonNode json = new ObjectMapper().readTree(exact.reportFile().localPath().toFile());
    List<List<String>> inJson = new ArrayList<>();
    json.get("skipped").forEach(c -> inJson.add(List.of(c.get("column").asText(),
        c.get("type").asText(), c.get("reason").asText())));
    assertThat(inJson).isEqualTo(skipped);
    assertThat(json.get("status").asText()).isEqualTo("drifted");
    String html = Files.readString(exact.htmlFile().localPath());
    assertThat(html).contains("<td>blob</td><td>binary</td><td>skipped: type binary</td>",
        "<td>id</td><td>bigint</td><td>skipped: role: key</td>");

    // Rows instead of columnar batches (a filter keeps every row): the same numbers.
    DriftRun rows = DriftJob.run(lake, Optional.of(reference),
        Optional.of(added.where(Optional.of("id >= 0"))), Optional.of(reports.resolve("rows")),
        "types-rows", Optional.of(DriftSettings.StatisticsMode.EXACT));
    for (String f : List.of("ts", "day", "amount")) {
      for (String m : List.of("ks", "wasserstein", "psi")) {
        assertThat(result(rows, f, m).score()).as("%s %s", f, m)
            .isEqualTo(result(exact, f, m).score());
      }
    }

    // Approximate mode from the stored profiles alone: both sides round-trip the profiles table.
    DriftRun approx = DriftJob.run(lake, Optional.of(reference), Optional.of(added),
        Optional.of(reports.resolve("approx")), "types-approx",
        Optional.of(DriftSettings.StatisticsMode.APPROXIMATE));
    assertThat(approx.referenceProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(approx.currentProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    for (String f : List.of("ts", "day", "amount", "flag")) {
      assertThat(approx.currentProfiles().profiles().get(f)).as(f).usingRecursiveComparison()
          .isEqualTo(exact.currentProfiles().profiles().get(f));
      assertThat(approx.referenceProfiles().profiles().get(f)).as(f).usingRecursiveComparison()
          .isEqualTo(exact.referenceProfiles().profiles().get(f));
    }
    assertThat(result(approx, "ts", "ks").score()).isEqualTo(TS_KS);
    assertThat(feature(approx, "ts").verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(result(approx, "flag", "tvd").score()).isCloseTo(FLAG_TVD, within(1e-12));

    // Nothing, or 5 rows, against min-rows = 100: not computable, results and checks written.
    for (String where : List.of("id < 0", "id < 2005")) {
      long n = where.equals("id < 0") ? 0 : 5;
      String runId = "tiny-" + n;
      DriftRun tiny = DriftJob.run(lake, Optional.of(reference),
          Optional.of(added.where(Optional.of(where))), Optional.of(reports.resolve(runId)),
          runId);
      assertThat(tiny.currentRows()).isEqualTo(n);
      assertThat(tiny.report().status()).isEqualTo(RunStatus.NOT_COMPUTABLE);
      assertThat(tiny.report().status().exitCode()).isEqualTo(4);
      assertThat(tiny.report().reason()).isEqualTo("not computable: the current selection has "
          + n + " rows, fewer than driftlake.drift.min-rows = 100");
      assertThat(tiny.report().features()).hasSize(6)
          .allSatisfy(f -> assertThat(f.verdict()).isEqualTo(Verdict.UNKNOWN))
          .flatExtracting(FeatureDrift::results)
          .allSatisfy(r -> assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN));
      JsonNode tinyJson = new ObjectMapper().readTree(tiny.reportFile().localPath().toFile());
      assertThat(tinyJson.get("status").asText()).isEqualTo("not computable");
      assertThat(tinyJson.get("drifted").asBoolean()).isFalse();
      // 4 numeric features with 4 methods, 2 categorical with 5.
      assertThat(spark.read().format("delta").load(lake.path("drift_results"))
          .where("run_id = '" + runId + "'").count()).isEqualTo(26);
      assertThat(spark.read().format("delta").load(lake.path("drift_checks"))
          .where("run_id = '" + runId + "'").count()).isEqualTo(tiny.checks().size())
          .isGreaterThanOrEqualTo(12);
      assertThat(Files.readString(tiny.htmlFile().localPath())).contains("<h2>Not computable</h2>");
    }
  }

  /** The latest reference instant's offset from T0 in whole seconds, and its milliseconds. */
  private static long maxOffset() {
    return latest() / 1000;
  }

  private static long maxMillis() {
    return latest() % 1000;
  }

  private static long latest() {
    long max = 0;
    for (int i = 0; i < 2000; i++) {
      max = Math.max(max, ((i * 7919L) % 2_592_000) * 1000 + i % 1000);
    }
    return max;
  }
}
