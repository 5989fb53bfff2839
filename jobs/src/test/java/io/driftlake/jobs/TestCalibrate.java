package io.driftlake.jobs;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.calibrate.Calibration;
import io.driftlake.jobs.calibrate.Thresholds;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.KernelLake;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code calibrate} on a synthetic history with real Spark and Delta: 21 stable batches
 * (versions 0..20, category shares 1/4 each), one shifted batch (21: shares 0.32, 0.18, 0.25,
 * 0.25) and one batch left unprofiled (22). The test draws every row itself, so it knows each
 * batch's category counts: it computes PSI and TVD of every consecutive pair by hand (natural
 * log, no share below the smoothing floor), and the split-conformal threshold by its own rule
 * (k = ceil((1 - rate)(n + 1)), the next double above the k-th smallest score). Calibrated, the
 * 20 stable pairs raise no alarm and the shifted pair is caught; the default PSI threshold 0.2
 * misses it.
 */
@ExtendWith(LocalSpark.class)
class TestCalibrate {
  private static final int ROWS = 2000;
  private static final int STABLE = 21;
  private static final String[] CATEGORIES = {"a", "b", "c", "d"};
  private static final double[] EVEN = {0.25, 0.5, 0.75};
  private static final double[] SHIFTED = {0.32, 0.5, 0.75};
  private static final StructType SCHEMA = new StructType()
      .add("customer_id", DataTypes.StringType).add("x", DataTypes.DoubleType)
      .add("c", DataTypes.StringType).add("defaulted", DataTypes.IntegerType);

  /** One batch's rows and its category counts, drawn from {@code cumulative} shares. */
  private record Batch(List<Row> rows, long[] counts) {}

  private static Batch batch(int version, double[] cumulative) {
    Random random = new Random(1000 + version);
    List<Row> rows = new ArrayList<>();
    long[] counts = new long[CATEGORIES.length];
    for (int i = 0; i < ROWS; i++) {
      double u = random.nextDouble();
      int k = u < cumulative[0] ? 0 : u < cumulative[1] ? 1 : u < cumulative[2] ? 2 : 3;
      counts[k]++;
      rows.add(RowFactory.create(version + "-" + i, random.nextGaussian(), CATEGORIES[k], 0));
    }
    return new Batch(rows, counts);
  }

  private static double[] shares(long[] counts) {
    double n = Arrays.stream(counts).sum();
    return Arrays.stream(counts).mapToDouble(c -> c / n).toArray();
  }

  private static double psi(long[] ref, long[] cur) {
    double[] p = shares(ref);
    double[] q = shares(cur);
    double psi = 0;
    for (int i = 0; i < p.length; i++) {
      psi += (q[i] - p[i]) * Math.log(q[i] / p[i]);
    }
    return psi;
  }

  private static double tvd(long[] ref, long[] cur) {
    double[] p = shares(ref);
    double[] q = shares(cur);
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      sum += Math.abs(p[i] - q[i]);
    }
    return sum / 2;
  }

  /** The test's own split-conformal threshold of a distance: see the class comment. */
  private static double conformal(double[] scores, double rate) {
    double[] sorted = scores.clone();
    Arrays.sort(sorted);
    int k = (int) Math.ceil((1 - rate) * (sorted.length + 1));
    return Math.nextUp(sorted[k - 1]);
  }

  private static MethodResult result(DriftReport report, String feature, String method) {
    FeatureDrift f = report.features().stream().filter(x -> x.feature().equals(feature))
        .findFirst().orElseThrow();
    return f.results().stream().filter(r -> r.method().equals(method)).findFirst().orElseThrow();
  }

  @Test
  void calibratedThresholdsPassStableBatchesAndCatchTheShiftDefaultsMiss(SparkSession spark,
      @TempDir Path dir) throws Exception {
    Lake lake = TestLakes.lake(dir);
    List<long[]> counts = new ArrayList<>();
    for (int v = 0; v <= STABLE + 1; v++) {
      Batch b = batch(v, v == STABLE ? SHIFTED : EVEN);
      counts.add(b.counts());
      lake.append("prod", spark.createDataFrame(b.rows(), SCHEMA),
          new CommitStamp("ingest", "run", "b" + v, Lake.ingestKey("prod", "b" + v)));
    }
    List<FeatureSpec> features = FeatureSpecs.shared(SCHEMA, SCHEMA,
        lake.settings().schema().nonFeatures()).features();
    ProfileStore store = new ProfileStore(lake, new DriftAnalysis(lake.settings().drift()),
        lake.settings().drift().profile());
    List<TableRef> profiled = new ArrayList<>(); // version 22 is left unprofiled
    for (int v = 0; v <= STABLE; v++) {
      profiled.add(lake.resolve(TableRef.parse("prod@" + v + ":added")));
    }
    store.profiles(profiled, features); // one Spark job
    store.save("profiles");

    // Too few pairs for the rate: refused, naming the table.
    KernelLake kernel = new KernelLake(lake.settings());
    assertThatThrownBy(() -> Calibration.run(kernel, "prod", "added", 0.01, Set.of(21L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Table 'prod': 20 pairs of consecutive profiled versions (selection added; "
            + "1 versions without stored profiles, 1 excluded), fewer than the 99 a false-alarm "
            + "rate of 0.01 needs (n >= 1/rate - 1); profile more versions or raise --rate");

    // The replay reads stored profiles only: no Spark job at all.
    AtomicReference<Calibration.Result> calibrated = new AtomicReference<>();
    assertThat(LocalSpark.jobsDuring(spark, () -> calibrated.set(
        Calibration.run(kernel, "prod", "added", 0.05, Set.of(21L))))).isZero();
    Calibration.Result result = calibrated.get();
    assertThat(result.pairs()).hasSize(20).first()
        .isEqualTo(new Calibration.Pair(0, 1));
    assertThat(result.pairs().get(19)).isEqualTo(new Calibration.Pair(19, 20));
    assertThat(result.excluded()).containsExactly(21L);
    assertThat(result.skipped()).containsExactly(22L);

    // The thresholds of c, against the test's own scores and quantile.
    double[] psis = new double[20];
    double[] tvds = new double[20];
    for (int v = 0; v < 20; v++) {
      psis[v] = psi(counts.get(v), counts.get(v + 1));
      tvds[v] = tvd(counts.get(v), counts.get(v + 1));
    }
    double psiThreshold = conformal(psis, 0.05);
    double tvdThreshold = conformal(tvds, 0.05);
    Map<String, Calibration.Learned> byMethod = new java.util.HashMap<>();
    result.thresholds().stream().filter(t -> t.feature().equals("c"))
        .forEach(t -> byMethod.put(t.method(), t));
    assertThat(byMethod.get("psi").threshold()).isCloseTo(psiThreshold, within(1e-12));
    assertThat(byMethod.get("tvd").threshold()).isCloseTo(tvdThreshold, within(1e-12));
    assertThat(byMethod.get("psi").scores()).isEqualTo(20);
    double shiftedPsi = psi(counts.get(20), counts.get(21));
    assertThat(shiftedPsi).isGreaterThan(psiThreshold).isLessThan(0.2);

    // One commit, idempotent by run id.
    Timestamp at = CommitStamp.now();
    assertThat(Thresholds.append(lake, result, "cal-1", at).written()).isTrue();
    long version = lake.latestVersion("thresholds").getAsLong();
    assertThat(Thresholds.append(lake, result, "cal-1", at).written()).isFalse();
    assertThat(lake.latestVersion("thresholds").getAsLong()).isEqualTo(version);
    Row psiRow = spark.read().format("delta").load(lake.path("thresholds"))
        .where(col("feature").equalTo("c").and(col("method").equalTo("psi"))).first();
    assertThat(psiRow.<Double>getAs("threshold")).isCloseTo(psiThreshold, within(1e-12));
    assertThat(psiRow.<Long>getAs("pairs")).isEqualTo(20L);
    assertThat(psiRow.getList(psiRow.fieldIndex("excluded_versions"))).containsExactly(21L);
    assertThat(psiRow.getList(psiRow.fieldIndex("skipped_versions"))).containsExactly(22L);
    assertThat(psiRow.<String>getAs("run_id")).isEqualTo("cal-1");

    // Drift from the stored profiles: calibrated, no stable pair alarms and the shift is caught;
    // the default threshold misses the shift.
    DriftSettings profiles = lake.settings().drift()
        .withStatisticsMode(DriftSettings.StatisticsMode.PROFILES);
    DriftSettings withCalibration = Thresholds.applied(lake.settings(), profiles, "prod");
    ProfileStore stored = ProfileStore.storedOnly(kernel, profiles.profile());
    var versions = stored.storedVersions("prod", "added");
    for (int v = 0; v < 20; v++) {
      DriftReport stable = new DriftAnalysis(withCalibration).compare(versions.get((long) v),
          versions.get((long) v + 1), features);
      MethodResult c = result(stable, "c", "psi");
      assertThat(c.conventions()).containsEntry("threshold_source", "calibrated");
      assertThat(c.drifted()).as("pair %d-%d", v, v + 1).isFalse();
    }
    Map<String, FeatureProfile> before = versions.get(20L);
    Map<String, FeatureProfile> shifted = versions.get(21L);
    MethodResult caught = result(new DriftAnalysis(withCalibration).compare(before, shifted,
        features), "c", "psi");
    assertThat(caught.score()).isCloseTo(shiftedPsi, within(1e-12));
    assertThat(caught.drifted()).isTrue();
    assertThat(caught.conventions().get("threshold_calibration"))
        .startsWith("calibrate run cal-1 at ").contains("false-alarm rate 0.05 from 20 pairs of "
            + "consecutive prod:added versions (excluded: [21])");
    MethodResult missed = result(new DriftAnalysis(profiles).compare(before, shifted, features),
        "c", "psi");
    assertThat(missed.conventions()).containsEntry("threshold_source", "default");
    assertThat(missed.drifted()).isFalse();

    // The drift job: its result rows and drift.json say calibrated.
    DriftRun run = DriftJob.run(lake, Optional.of(TableRef.parse("prod@20:added")),
        Optional.of(TableRef.parse("prod@21:added")), Optional.of(dir.resolve("report")),
        "drift-1", Optional.of(DriftSettings.StatisticsMode.PROFILES));
    assertThat(result(run.report(), "c", "psi").drifted()).isTrue();
    Row row = spark.read().format("delta").load(lake.path("drift_results"))
        .where(col("run_id").equalTo("drift-1").and(col("feature").equalTo("c"))
            .and(col("method").equalTo("psi"))).first();
    assertThat(row.<Double>getAs("threshold")).isCloseTo(psiThreshold, within(1e-12));
    assertThat(row.<Boolean>getAs("drifted")).isTrue();
    assertThat(row.<scala.collection.Map<String, String>>getAs("conventions")
        .get("threshold_source").get()).isEqualTo("calibrated");
    assertThat(Files.readString(dir.resolve("report").resolve("drift.json")))
        .contains("\"threshold_source\" : \"calibrated\"");
    // The HTML report: the source column, and KS's rule with its effect (D) beside the p-value.
    String html = Files.readString(dir.resolve("report").resolve("drift.html"));
    assertThat(html).contains("<td>calibrated</td>").containsPattern("<td>p &lt; [0-9.e-]+ and D "
        + "&gt;(=|&#61;) 0.05 \\(D (=|&#61;) [0-9.e-]+\\)</td>");

    // The switch off: drift ignores the thresholds table.
    JobSettings off = TestLakes.settings(dir, "driftlake.calibrate.use-calibrated = false\n");
    assertThat(Thresholds.applied(off, profiles, "prod")).isEqualTo(profiles);
  }
}
