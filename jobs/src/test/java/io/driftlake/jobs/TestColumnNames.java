package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileJob;
import io.driftlake.jobs.profile.ProfileStore;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.score.ScoreJob;
import io.driftlake.jobs.train.TrainJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Columns named as real CSV headers name them (a space, a dot, a non-ASCII letter, a backtick)
 * go end to end: ingest (Delta column mapping on the table ingest creates), profile (full and
 * incremental), drift (exact and from stored profiles), the reports, train and score. One lake,
 * two small CSV batches; every statistic is checked against a brute-force computation here.
 */
@ExtendWith(LocalSpark.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestColumnNames {
  static final String AGE = "age in years";
  static final String INCOME = "income.usd";
  static final String REGION = "région";
  static final String PLAN = "plan`tier";
  private static final int ROWS = 40;

  private Path dir;
  private Lake lake;

  /** Batch 0: ages 20..59; batch 1: ages 30..69 (KS D = 10/40). */
  private static double age(int batch, int i) {
    return 20 + 10 * batch + i;
  }

  /** Incomes: batch 0 1000 + 10·i; batch 1 1000 + 15·i. */
  private static double income(int batch, int i) {
    return 1000 + (batch == 0 ? 10 : 15) * i;
  }

  /** Batch 0: half and half; batch 1: a quarter Île-de-France (TVD 0.25). */
  private static String region(int batch, int i) {
    return batch == 0 ? (i % 2 == 0 ? "Île-de-France" : "Bretagne")
        : (i % 4 == 0 ? "Île-de-France" : "Bretagne");
  }

  private static String plan(int batch, int i) {
    return i % 3 == 0 ? "gold" : "basic";
  }

  private static int label(int batch, int i) {
    return age(batch, i) + (i % 5) * 4 > 45 ? 1 : 0;
  }

  private Path csv(int batch) throws IOException {
    StringBuilder s = new StringBuilder("customer_id," + AGE + "," + INCOME + "," + REGION + ","
        + PLAN + ",defaulted\n");
    for (int i = 0; i < ROWS; i++) {
      s.append("c").append(batch).append('-').append(i).append(',')
          .append((int) age(batch, i)).append(',').append(income(batch, i)).append(',')
          .append(region(batch, i)).append(',').append(plan(batch, i)).append(',')
          .append(label(batch, i)).append('\n');
    }
    Path file = dir.resolve("landing/b" + batch + "/part.csv");
    Files.createDirectories(file.getParent());
    return Files.writeString(file, s.toString());
  }

  @BeforeAll
  void ingestTwoBatches(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    lake = new Lake(LocalSpark.session(), TestLakes.settings(dir, TestLakes.FAST_TRAINING));
    for (int batch = 0; batch < 2; batch++) {
      IngestJob.Result r = IngestJob.ingestFiles(lake, "odd", csv(batch).getParent().toString(),
          "csv", "b" + batch, "run-" + batch, false);
      assertThat(r.version()).isEqualTo(batch);
    }
  }

  /** The two-sample KS statistic by brute force over every value. */
  private static double ks(double[] a, double[] b) {
    double d = 0;
    for (double x : concat(a, b)) {
      d = Math.max(d, Math.abs(cdf(a, x) - cdf(b, x)));
    }
    return d;
  }

  private static double cdf(double[] values, double x) {
    return Arrays.stream(values).filter(v -> v <= x).count() / (double) values.length;
  }

  private static double[] concat(double[] a, double[] b) {
    double[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static double[] values(int batch, java.util.function.IntToDoubleFunction f) {
    return IntStream.range(0, ROWS).mapToDouble(f).toArray();
  }

  private static MethodResult result(DriftRun run, String feature, String method) {
    FeatureDrift f = run.report().features().stream().filter(x -> x.feature().equals(feature))
        .findFirst().orElseThrow(() -> new AssertionError("no feature " + feature));
    return f.results().stream().filter(r -> r.method().equals(method)).findFirst().orElseThrow();
  }

  @Test
  void oddNamesGoThroughIngestProfileDriftReportsTrainAndScore() throws IOException {
    // The table keeps the names as they are, under Delta column mapping.
    assertThat(lake.read(lake.resolve(TableRef.parse("odd"))).columns())
        .containsExactly("customer_id", AGE, INCOME, REGION, PLAN, "defaulted");
    Row props = lake.spark().sql("DESCRIBE DETAIL delta.`" + lake.path("odd") + "`").first();
    assertThat(props.<String, String>getJavaMap(props.fieldIndex("properties")))
        .containsEntry("delta.columnMapping.mode", "name");

    // A filter names them in backticks (a backtick inside doubled); on the appended files too.
    TableRef filtered = TableRef.parse("odd@1:added").where(Optional.of(
        "`income.usd` >= 1300 AND `région` = 'Bretagne' AND `plan``tier` <> 'x'"));
    long expected = IntStream.range(0, ROWS)
        .filter(i -> income(1, i) >= 1300 && region(1, i).equals("Bretagne")).count();
    assertThat(expected).isEqualTo(15);
    assertThat(lake.read(lake.resolve(filtered)).count()).isEqualTo(expected);

    // Full profile of version 0, then version 1 incrementally from it (the appended rows only).
    ProfileStore.Profiles v0 = ProfileJob.profile(lake, TableRef.parse("odd@0"), "p0");
    assertThat(v0.source()).isEqualTo(ProfileStore.Source.SCANNED);
    ProfileStore.Profiles v1 = ProfileJob.profile(lake, TableRef.parse("odd@1"), "p1");
    assertThat(v1.source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    assertThat(v1.rows()).isEqualTo(2 * ROWS);
    assertThat(v1.profiles().keySet()).containsExactly(AGE, INCOME, REGION, PLAN);
    NumericProfile ages = (NumericProfile) v1.profiles().get(AGE);
    assertThat(ages.min()).isEqualTo(20.0);
    assertThat(ages.max()).isEqualTo(69.0); // the appended files' values, read by physical name
    assertThat(ages.nulls()).isZero();

    double[] age0 = values(0, i -> age(0, i));
    double[] age1 = values(1, i -> age(1, i));
    double[] income0 = values(0, i -> income(0, i));
    double[] income1 = values(1, i -> income(1, i));
    Optional<TableRef> reference = Optional.of(TableRef.parse("odd@0"));
    Optional<TableRef> added = Optional.of(TableRef.parse("odd@1:added"));

    DriftRun exact = DriftJob.run(lake, reference, added,
        Optional.of(dir.resolve("exact")), "d-exact");
    assertThat(exact.mode()).isEqualTo(DriftSettings.StatisticsMode.EXACT);
    assertThat(result(exact, AGE, "ks").score()).isCloseTo(ks(age0, age1), within(1e-12));
    assertThat(result(exact, AGE, "ks").score()).isCloseTo(0.25, within(1e-12));
    assertThat(result(exact, INCOME, "ks").score()).isCloseTo(ks(income0, income1), within(1e-12));
    assertThat(result(exact, REGION, "tvd").score()).isCloseTo(0.25, within(1e-12));
    assertThat(result(exact, PLAN, "tvd").score()).isCloseTo(0.0, within(1e-12));

    // From the stored profiles (the reference's was stored above): within the stated bound.
    DriftRun approximate = DriftJob.run(lake, reference, added,
        Optional.of(dir.resolve("approx")), "d-approx",
        Optional.of(DriftSettings.StatisticsMode.APPROXIMATE));
    assertThat(approximate.referenceProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    MethodResult ks = result(approximate, AGE, "ks");
    assertThat(Math.abs(ks.score() - 0.25))
        .isLessThanOrEqualTo(Double.parseDouble(ks.conventions().get("error_bound")));
    assertThat(result(approximate, REGION, "tvd").score()).isCloseTo(0.25, within(1e-12));

    // drift_results and drift.json carry the names as they are; the HTML escapes them.
    assertThat(lake.spark().read().format("delta").load(lake.path("drift_results"))
        .where(org.apache.spark.sql.functions.col("run_id").equalTo("d-exact"))
        .select("feature").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
        .containsExactlyInAnyOrder(AGE, INCOME, REGION, PLAN);
    JsonNode json = new ObjectMapper().readTree(exact.reportFile().localPath().toFile());
    List<String> names = new java.util.ArrayList<>();
    json.get("features").forEach(f -> names.add(f.get("feature").asText()));
    assertThat(names).containsExactlyInAnyOrder(AGE, INCOME, REGION, PLAN);
    org.jsoup.nodes.Document html = org.jsoup.Jsoup.parse(
        Files.readString(exact.htmlFile().localPath()));
    assertThat(html.select("section.feature h3").stream().map(h -> h.ownText()).toList())
        .containsExactlyInAnyOrder(AGE, INCOME, REGION, PLAN);
    assertThat(html.getElementById("feature-age_20_in_20_years")).isNotNull();
    assertThat(html.getElementById("feature-r_e9_gion")).isNotNull();

    // Train on both batches and score the second: the pipeline reads the raw columns.
    Model model = TrainJob.train(lake, TableRef.parse("odd@1"), "t1", "manual");
    assertThat(model.features()).containsExactlyInAnyOrder(AGE, INCOME, REGION, PLAN);
    ScoreJob.Result scored = ScoreJob.score(lake, model, TableRef.parse("odd@1:added"), "s1");
    assertThat(scored.rows()).isEqualTo(ROWS);
  }
}
