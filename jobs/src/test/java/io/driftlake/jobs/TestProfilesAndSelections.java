package io.driftlake.jobs;

import static io.driftlake.jobs.TestDriftAndTrainJobs.tiny;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileJob;
import io.driftlake.jobs.profile.ProfileStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LocalSpark.class)
class TestProfilesAndSelections {
  private static final List<FeatureSpec> FEATURES = List.of(
      new FeatureSpec("x", FeatureType.NUMERIC), new FeatureSpec("colour", FeatureType.CATEGORICAL));

  private static double[] range(int from, int to) {
    return java.util.stream.IntStream.range(from, to).mapToDouble(i -> i).toArray();
  }

  /**
   * 1 + i·10⁻⁶ for i in [from, to): all in one fine bin, so exact KS and W1 need a pass over the
   * data (the profiles fix the values of bins with at most two per side).
   */
  private static double[] dense(int from, int to) {
    return java.util.stream.IntStream.range(from, to).mapToDouble(i -> 1 + i * 1e-6).toArray();
  }

  private static String[] colours(int n, String... palette) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = palette[i % palette.length];
    }
    return out;
  }

  private static MethodResult result(DriftRun run, String feature, String method) {
    return run.report().features().stream().filter(f -> f.feature().equals(feature)).findFirst()
        .orElseThrow().results().stream().filter(r -> r.method().equals(method)).findFirst()
        .orElseThrow();
  }

  private static List<Path> parquetFiles(Path table) throws IOException {
    try (Stream<Path> files = Files.list(table)) {
      return files.filter(f -> f.toString().endsWith(".parquet")).toList();
    }
  }

  @Test
  void storedProfilesServeDriftWithoutTheDataEvenAfterVacuum(SparkSession spark,
                                                             @TempDir Path dir) throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "ref", tiny(spark, dense(0, 400), colours(400, "r", "g")), "b0", "run");
    IngestJob.ingest(lake, "cur", tiny(spark, dense(40, 440), colours(400, "r", "g", "b")), "b0",
        "run");
    Optional<TableRef> ref = Optional.of(TableRef.parse("ref@0"));
    Optional<TableRef> cur = Optional.of(TableRef.parse("cur@0"));

    DriftRun first = DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("r1")), "run-1");
    assertThat(first.referenceProfiles().source()).isEqualTo(ProfileStore.Source.SCANNED);
    assertThat(first.currentProfiles().source()).isEqualTo(ProfileStore.Source.SCANNED);
    assertThat(lake.spark().read().format("delta").load(lake.path("profiles")).count())
        .isEqualTo(4); // 2 selections × 2 features

    DriftRun second = DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("r2")), "run-2");
    assertThat(second.referenceProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(second.currentProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(lake.spark().read().format("delta").load(lake.path("profiles")).count())
        .isEqualTo(4); // nothing new, no duplicates
    assertThat(result(second, "x", "psi").score()).isEqualTo(result(first, "x", "psi").score());

    // Replace ref's data and VACUUM: version 0's data files are gone for good.
    List<Path> version0Files = parquetFiles(Path.of(lake.path("ref")));
    assertThat(version0Files).isNotEmpty();
    tiny(spark, range(0, 10), colours(10, "r")).write().format("delta").mode("overwrite")
        .save(lake.path("ref"));
    spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
    spark.sql("VACUUM delta.`" + lake.path("ref") + "` RETAIN 0 HOURS");
    spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "true");
    assertThat(version0Files).noneMatch(Files::exists);

    DriftRun after = DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("r3")), "run-3",
        Optional.of(DriftSettings.StatisticsMode.APPROXIMATE));
    assertThat(after.referenceProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(after.referenceRows()).isEqualTo(400);
    // Exact mode binned as numpy (the fine bin holding all 400 values was fetched): numpy's
    // PSI of 1 + (0..399)·10⁻⁶ vs 1 + (40..439)·10⁻⁶ is 0.7593994704263101. The stored profiles
    // alone place the values inside that fine bin only approximately, and say so.
    assertThat(result(first, "x", "psi").score())
        .isCloseTo(0.7593994704263101, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(result(after, "x", "psi").conventions()).containsEntry("mode", "approximate")
        .containsKey("uncertain_reference_share");
    assertThat(result(after, "colour", "chi2").score())
        .isEqualTo(result(first, "colour", "chi2").score());
    MethodResult ks = result(after, "x", "ks");
    assertThat(ks.conventions()).containsEntry("mode", "approximate");
    // Exact D of 1 + (0..399)·10⁻⁶ vs 1 + (40..439)·10⁻⁶ is 40/400.
    assertThat(Math.abs(ks.score() - 0.1))
        .isLessThanOrEqualTo(Double.parseDouble(ks.conventions().get("error_bound")));
    assertThat(result(first, "x", "ks").score()).isCloseTo(0.1, org.assertj.core.api.Assertions.within(1e-12));

    // The default, exact mode needs the data for its passes: it falls back and says so.
    assertThat(first.mode()).isEqualTo(DriftSettings.StatisticsMode.EXACT);
    assertThat(first.modeNote()).isEmpty();
    DriftRun exact = DriftJob.run(lake, ref, cur, Optional.of(dir.resolve("r4")), "run-4");
    assertThat(exact.mode()).isEqualTo(DriftSettings.StatisticsMode.APPROXIMATE);
    assertThat(exact.modeNote()).startsWith("exact mode asked, but a data file of ref@0 or cur@0 "
        + "is gone (").endsWith("), so KS, Wasserstein and numeric PSI/JS come from the stored "
        + "profiles with their error bounds");
    assertThat(result(exact, "x", "ks").conventions()).containsEntry("mode", "approximate");
    assertThat(result(exact, "x", "ks").score()).isEqualTo(ks.score());
    assertThat(Files.readString(exact.reportFile().localPath()))
        .contains("\"statistics_mode\" : \"approximate\"", "\"statistics_mode_note\" : \"exact mode asked");
  }

  /**
   * OPTIMIZE then VACUUM deletes the files a version's append wrote, while its rows live on in
   * the compacted files: its ":added" rows cannot be read any more, but its stored profiles still
   * serve a drift (falling back to approximate KS/W1, as after any VACUUM), an unstored one is an
   * error naming the version, and a later snapshot is profiled in full instead of incrementally.
   */
  @Test
  void addedRowsWhoseFilesWereCompactedAndVacuumedAreServedByTheirStoredProfiles(
      SparkSession spark, @TempDir Path dir) throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "ref", tiny(spark, dense(0, 300), colours(300, "r", "g")), "b0", "run");
    IngestJob.ingest(lake, "cur", tiny(spark, dense(0, 200), colours(200, "r")), "b0", "run");
    IngestJob.ingest(lake, "cur", tiny(spark, dense(30, 330), colours(300, "g", "b")), "b1", "run");
    IngestJob.ingest(lake, "cur", tiny(spark, dense(50, 60), colours(10, "y")), "b2", "run");
    ProfileJob.profile(lake, TableRef.parse("cur@0"), "p0");
    Optional<TableRef> ref = Optional.of(TableRef.parse("ref@0"));
    Optional<TableRef> added = Optional.of(TableRef.parse("cur@1:added"));
    DriftRun first = DriftJob.run(lake, ref, added, Optional.of(dir.resolve("r1")), "d1");
    assertThat(first.mode()).isEqualTo(DriftSettings.StatisticsMode.EXACT);
    assertThat(first.currentRows()).isEqualTo(300);

    List<Path> before = parquetFiles(Path.of(lake.path("cur")));
    spark.sql("OPTIMIZE delta.`" + lake.path("cur") + "`"); // version 3
    spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
    spark.sql("VACUUM delta.`" + lake.path("cur") + "` RETAIN 0 HOURS");
    spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "true");
    assertThat(before).noneMatch(Files::exists);

    DriftRun after = DriftJob.run(lake, ref, added, Optional.of(dir.resolve("r2")), "d2");
    assertThat(after.currentProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(after.currentRows()).isEqualTo(300);
    assertThat(after.mode()).isEqualTo(DriftSettings.StatisticsMode.APPROXIMATE);
    assertThat(after.modeNote()).startsWith("exact mode asked, but a data file of ref@0 or "
        + "cur@1:added is gone (A data file that version 1 of table 'cur' added is gone "
        + "(rewritten, then vacuumed): ");
    // numpy's PSI of 1 + (0..299)·10⁻⁶ vs 1 + (30..329)·10⁻⁶ (exact mode); from the stored
    // profiles alone it is approximate, and says so.
    assertThat(result(first, "x", "psi").score())
        .isCloseTo(0.7593994704263101, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(result(after, "x", "psi").conventions()).containsEntry("mode", "approximate");
    MethodResult ks = result(after, "x", "ks");
    assertThat(Math.abs(ks.score() - result(first, "x", "ks").score()))
        .isLessThanOrEqualTo(Double.parseDouble(ks.conventions().get("error_bound")));

    assertThatThrownBy(() -> DriftJob.run(lake, ref, Optional.of(TableRef.parse("cur@2:added")),
        Optional.of(dir.resolve("r3")), "d3"))
        .hasRootCauseInstanceOf(org.apache.spark.sql.AnalysisException.class)
        .hasMessageContaining("A data file that version 2 of table 'cur' added is gone "
            + "(rewritten, then vacuumed): ");

    // cur@0 is stored, but the files versions 1 and 2 appended are gone: a full scan.
    ProfileStore.Profiles v3 = ProfileJob.profile(lake, TableRef.parse("cur@3"), "p3");
    assertThat(v3.source()).isEqualTo(ProfileStore.Source.SCANNED);
    assertThat(v3.rows()).isEqualTo(510);
  }

  /**
   * A table deleted and created again under its name starts again at version 0: the stored
   * profiles of the old t@0 are not the new one's (they are told apart by the Delta table id).
   * A profiles table from before table ids gets the column on the next save.
   */
  @Test
  void profilesOfATableCreatedAgainUnderItsNameAreNotReused(SparkSession spark,
                                                            @TempDir Path dir) throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", tiny(spark, range(0, 100), colours(100, "r")), "b0", "run");
    assertThat(ProfileJob.profile(lake, TableRef.parse("t@0"), "p0").rows()).isEqualTo(100);
    assertThat(ProfileJob.profile(lake, TableRef.parse("t@0"), "p1").source())
        .isEqualTo(ProfileStore.Source.STORED);

    try (Stream<Path> files = Files.walk(Path.of(lake.path("t")))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    IngestJob.ingest(lake, "t", tiny(spark, range(0, 30), colours(30, "g")), "b0", "run");
    ProfileStore.Profiles again = ProfileJob.profile(lake, TableRef.parse("t@0"), "p2");
    assertThat(again.source()).isEqualTo(ProfileStore.Source.SCANNED);
    assertThat(again.rows()).isEqualTo(30);
    assertThat(((CategoricalProfile) again.profiles().get("colour")).counts())
        .containsOnlyKeys("g");
    ProfileStore.Profiles stored = ProfileJob.profile(lake, TableRef.parse("t@0"), "p3");
    assertThat(stored.source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(stored.rows()).isEqualTo(30);

    // A profiles table written before table ids: nothing in it is reused, and the next save
    // adds the column and its rows.
    Path legacyDir = Files.createDirectories(dir.resolve("legacy"));
    Lake legacy = TestLakes.lake(legacyDir);
    IngestJob.ingest(legacy, "t", tiny(spark, range(0, 50), colours(50, "b")), "b0", "run");
    spark.read().format("delta").load(lake.path("profiles")).where("run_id = 'p0'")
        .drop("table_id").write().format("delta").save(legacy.path("profiles"));
    ProfileStore.Profiles fresh = ProfileJob.profile(legacy, TableRef.parse("t@0"), "p4");
    assertThat(fresh.source()).isEqualTo(ProfileStore.Source.SCANNED);
    assertThat(fresh.rows()).isEqualTo(50);
    assertThat(ProfileJob.profile(legacy, TableRef.parse("t@0"), "p5").source())
        .isEqualTo(ProfileStore.Source.STORED);
    assertThat(spark.read().format("delta").load(legacy.path("profiles"))
        .where("table_id IS NOT NULL").count()).isEqualTo(2);
  }

  @Test
  void storedProfilesMadeWithLesserOptionsAreProfiledAgainAndReplaced(SparkSession spark,
                                                                      @TempDir Path dir) {
    Lake capped = new Lake(spark, TestLakes.settings(dir,
        "driftlake.drift.profile { max-categories = 2, kll = false }\n"));
    IngestJob.ingest(capped, "t", tiny(spark, range(0, 300), colours(300, "r", "g", "b")), "b0",
        "run");
    ProfileStore.Profiles first = ProfileJob.profile(capped, TableRef.parse("t@0"), "p0");
    assertThat(((CategoricalProfile) first.profiles().get("colour")).capped()).isTrue();
    assertThat(ProfileJob.profile(capped, TableRef.parse("t@0"), "p0b").source())
        .isEqualTo(ProfileStore.Source.STORED);
    String profiles = capped.path("profiles");
    long versionBefore = capped.latestVersion("profiles").orElseThrow();

    // Asking for more (a KLL sketch, all categories) than the stored profiles hold profiles the
    // selection again and replaces its rows in one commit: no duplicates, nothing stale.
    Lake richer = new Lake(spark, TestLakes.settings(dir,
        "driftlake.drift.profile { max-categories = 1000, kll = true }\n"));
    ProfileStore.Profiles again = ProfileJob.profile(richer, TableRef.parse("t@0"), "p1");
    assertThat(again.source()).isEqualTo(ProfileStore.Source.SCANNED);
    assertThat(((CategoricalProfile) again.profiles().get("colour")).counts())
        .containsOnlyKeys("b", "g", "r");
    assertThat(((NumericProfile) again.profiles().get("x")).kll()).isNotNull();
    assertThat(richer.latestVersion("profiles").orElseThrow()).isEqualTo(versionBefore + 1);
    List<Row> rows = spark.read().format("delta").load(profiles)
        .select("feature", "run_id").orderBy("feature").collectAsList();
    assertThat(rows).extracting(r -> r.getString(0) + " " + r.getString(1))
        .containsExactly("colour p1", "x p1");
    ProfileStore.Profiles stored = ProfileJob.profile(richer, TableRef.parse("t@0"), "p2");
    assertThat(stored.source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(((NumericProfile) stored.profiles().get("x")).kll()).isNotNull();
    // The richer profiles serve the lesser options too.
    assertThat(ProfileJob.profile(capped, TableRef.parse("t@0"), "p3").source())
        .isEqualTo(ProfileStore.Source.STORED);
  }

  @Test
  void aDriftRunProfilesAnAppendedSnapshotIncrementally(SparkSession spark, @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", tiny(spark, range(0, 500), colours(500, "r", "g")), "b0", "run");
    ProfileJob.profile(lake, TableRef.parse("t@0"), "p0");
    IngestJob.ingest(lake, "t", tiny(spark, range(400, 450), colours(50, "b")), "b1", "run");
    // The drift job prefetches both sides; t@1 is not stored, so t@0's profile plus the 50 added
    // rows make it, not a scan of the whole snapshot.
    DriftRun run = DriftJob.run(lake, Optional.of(TableRef.parse("t@0")),
        Optional.of(TableRef.parse("t@1")), Optional.of(dir.resolve("r")), "d1");
    assertThat(run.referenceProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(run.currentProfiles().source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    assertThat(run.currentProfiles().detail()).isEqualTo(
        "stored profiles of t@0 merged with 50 rows added by versions 1..1");
    assertThat(run.currentRows()).isEqualTo(550);
  }

  @Test
  void appendedVersionsAreProfiledIncrementallyFromTheStoredProfile(SparkSession spark,
                                                                    @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", tiny(spark, range(0, 1000), colours(1000, "r", "g")), "b0", "run");
    ProfileStore.Profiles v0 = ProfileJob.profile(lake, TableRef.parse("t@0"), "p0");
    assertThat(v0.source()).isEqualTo(ProfileStore.Source.SCANNED);
    assertThat(ProfileJob.profile(lake, TableRef.parse("t@0"), "p0b").source())
        .isEqualTo(ProfileStore.Source.STORED);

    IngestJob.ingest(lake, "t", tiny(spark, range(5000, 5100), colours(100, "b")), "b1", "run");
    ProfileStore.Profiles v1 = ProfileJob.profile(lake, TableRef.parse("t"), "p1");
    assertThat(v1.source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    assertThat(v1.detail()).isEqualTo(
        "stored profiles of t@0 merged with 100 rows added by versions 1..1");
    // Same profile as a full scan of the snapshot.
    Map<String, FeatureProfile> full = new DriftAnalysis(lake.settings().drift())
        .profile(lake.read(lake.resolve(TableRef.parse("t@1"))), FEATURES);
    NumericProfile x = (NumericProfile) v1.profiles().get("x");
    assertThat(x.rows()).isEqualTo(1100);
    assertThat(x.bins()).isEqualTo(((NumericProfile) full.get("x")).bins());
    CategoricalProfile colour = (CategoricalProfile) v1.profiles().get("colour");
    assertThat(colour.counts()).isEqualTo(((CategoricalProfile) full.get("colour")).counts())
        .containsEntry("b", 100L);

    // A filtered selection is incremental too: its stored profile plus the added rows it keeps.
    Optional<String> where = Optional.of("x >= 500");
    assertThat(ProfileJob.profile(lake, TableRef.parse("t@0").where(where), "w0").source())
        .isEqualTo(ProfileStore.Source.SCANNED);
    ProfileStore.Profiles w1 = ProfileJob.profile(lake, TableRef.parse("t@1").where(where), "w1");
    assertThat(w1.source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    assertThat(w1.detail()).isEqualTo(
        "stored profiles of t@0 merged with 100 rows added by versions 1..1");
    Map<String, FeatureProfile> filtered = new DriftAnalysis(lake.settings().drift())
        .profile(lake.read(lake.resolve(TableRef.parse("t@1").where(where))), FEATURES);
    assertThat(w1.rows()).isEqualTo(600);
    assertThat(((NumericProfile) w1.profiles().get("x")).bins())
        .isEqualTo(((NumericProfile) filtered.get("x")).bins());
    assertThat(((CategoricalProfile) w1.profiles().get("colour")).counts())
        .isEqualTo(((CategoricalProfile) filtered.get("colour")).counts());

    // An overwrite is not an append: the next version is profiled in full.
    tiny(spark, range(0, 10), colours(10, "r")).write().format("delta").mode("overwrite")
        .save(lake.path("t"));
    ProfileStore.Profiles v2 = ProfileJob.profile(lake, TableRef.parse("t@2"), "p2");
    assertThat(v2.source()).isEqualTo(ProfileStore.Source.SCANNED);
    assertThat(v2.rows()).isEqualTo(10);
  }

  /**
   * The newest stored version lacks a feature (stored by a job that profiled fewer): the
   * incremental profile starts from the latest version that has every feature asked for.
   */
  @Test
  void incrementalProfilesStartFromTheLatestCompleteStoredVersion(SparkSession spark,
                                                                  @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", tiny(spark, range(0, 200), colours(200, "r", "g")), "b0", "run");
    assertThat(ProfileJob.profile(lake, TableRef.parse("t@0"), "p0").source())
        .isEqualTo(ProfileStore.Source.SCANNED);
    IngestJob.ingest(lake, "t", tiny(spark, range(200, 230), colours(30, "b")), "b1", "run");
    DriftAnalysis analysis = new DriftAnalysis(lake.settings().drift());
    ProfileStore onlyX = new ProfileStore(lake, analysis, lake.settings().drift().profile());
    TableRef v1 = lake.resolve(TableRef.parse("t@1"));
    onlyX.put(v1, analysis.profile(lake.read(v1), FEATURES.subList(0, 1)));
    assertThat(onlyX.save("x-only")).isEqualTo(1);
    IngestJob.ingest(lake, "t", tiny(spark, range(230, 240), colours(10, "y")), "b2", "run");

    ProfileStore store = new ProfileStore(lake, analysis, lake.settings().drift().profile());
    ProfileStore.Profiles v2 = store.profiles(lake.resolve(TableRef.parse("t@2")), FEATURES);
    assertThat(v2.source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    assertThat(v2.detail()).isEqualTo(
        "stored profiles of t@0 merged with 40 rows added by versions 1..2");
    assertThat(((CategoricalProfile) v2.profiles().get("colour")).counts())
        .containsEntry("b", 30L).containsEntry("y", 10L);
    // Asked for x alone, version 1 is complete and the newest.
    assertThat(store.profiles(lake.resolve(TableRef.parse("t@2")), FEATURES.subList(0, 1))
        .detail()).isEqualTo("stored profiles of t@1 merged with 10 rows added by versions 2..2");

    // Another job stores version 1's colour: that version's rows are now in two commits' files,
    // and both are read before it counts as complete.
    ProfileStore onlyColour = new ProfileStore(lake, analysis, lake.settings().drift().profile());
    onlyColour.put(v1, analysis.profile(lake.read(v1), FEATURES.subList(1, 2)));
    assertThat(onlyColour.save("colour-only")).isEqualTo(1);
    ProfileStore.Profiles again = new ProfileStore(lake, analysis,
        lake.settings().drift().profile()).profiles(lake.resolve(TableRef.parse("t@2")), FEATURES);
    assertThat(again.detail())
        .isEqualTo("stored profiles of t@1 merged with 10 rows added by versions 2..2");
    assertThat(((CategoricalProfile) again.profiles().get("colour")).counts())
        .containsEntry("b", 30L).containsEntry("y", 10L);
  }

  /**
   * OPTIMIZE rewrites files without changing data: an incremental profile across it adds only the
   * rows later appends brought, never the compacted copies, and equals a full scan.
   */
  @Test
  void incrementalProfilesSkipFilesRewrittenWithoutADataChange(SparkSession spark,
                                                               @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", tiny(spark, range(0, 300), colours(300, "r", "g")), "b0", "run");
    assertThat(ProfileJob.profile(lake, TableRef.parse("t@0"), "p0").source())
        .isEqualTo(ProfileStore.Source.SCANNED);
    IngestJob.ingest(lake, "t", tiny(spark, range(300, 350), colours(50, "b")), "b1", "run");
    spark.sql("OPTIMIZE delta.`" + lake.path("t") + "`"); // version 2: remove + add, no data change
    IngestJob.ingest(lake, "t", tiny(spark, range(350, 370), colours(20, "y")), "b3", "run");
    assertThat(lake.history("t").where("version = 2").select("operation").first().getString(0))
        .isEqualTo("OPTIMIZE");

    ProfileStore.Profiles v3 = ProfileJob.profile(lake, TableRef.parse("t@3"), "p3");
    assertThat(v3.source()).isEqualTo(ProfileStore.Source.INCREMENTAL);
    assertThat(v3.detail()).isEqualTo(
        "stored profiles of t@0 merged with 70 rows added by versions 1..3");
    Map<String, FeatureProfile> full = new DriftAnalysis(lake.settings().drift())
        .profile(lake.read(lake.resolve(TableRef.parse("t@3"))), FEATURES);
    assertThat(((NumericProfile) v3.profiles().get("x")).bins())
        .isEqualTo(((NumericProfile) full.get("x")).bins());
    assertThat(((CategoricalProfile) v3.profiles().get("colour")).counts())
        .isEqualTo(((CategoricalProfile) full.get("colour")).counts());
    assertThat(lake.readAdded("t", 2, 2).count()).isZero();
    assertThat(lake.readAdded("t", 1, 3).queryExecution().executedPlan().toString())
        .doesNotContain("DeltaCDFRelation").contains("FileScan parquet");
  }

  /**
   * A version's added rows are read from the files its commit added when it only appended, and
   * from the change data feed otherwise; both give the same rows as the feed.
   */
  @Test
  void addedRowsComeFromTheAddedFilesOfAppendsAndFromTheChangeFeedOtherwise(SparkSession spark,
                                                                            @TempDir Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", tiny(spark, range(0, 300), colours(300, "r", "g")), "b0", "run");
    IngestJob.ingest(lake, "t", tiny(spark, range(300, 420), colours(120, "b")), "b1", "run");
    io.delta.tables.DeltaTable.forPath(spark, lake.path("t")).delete("x < 10"); // version 2
    IngestJob.ingest(lake, "t", tiny(spark, range(500, 550), colours(50, "y")), "b3", "run");

    for (long v = 0; v <= 3; v++) {
      org.apache.spark.sql.Dataset<Row> added = lake.readAdded("t", v, v);
      org.apache.spark.sql.Dataset<Row> feed = spark.read().format("delta")
          .option("readChangeFeed", "true").option("startingVersion", v)
          .option("endingVersion", v).load(lake.path("t"))
          .where("_change_type = 'insert'")
          .drop("_change_type", "_commit_version", "_commit_timestamp");
      assertThat(added.exceptAll(feed).count()).as("version %d", v).isZero();
      assertThat(feed.exceptAll(added).count()).as("version %d", v).isZero();
      String plan = added.queryExecution().executedPlan().toString();
      if (v == 2) {
        assertThat(plan).as("the delete falls back to the feed").contains("DeltaCDFRelation");
      } else {
        assertThat(plan).as("version %d reads its added files", v)
            .doesNotContain("DeltaCDFRelation").contains("FileScan parquet");
      }
    }
    assertThat(lake.readAdded("t", 1, 1).count()).isEqualTo(120);
    assertThat(lake.readAdded("t", 2, 2).count()).isZero();
    assertThat(lake.readAdded("t", 1, 3).count()).isEqualTo(170); // the range holds the delete
    assertThat(lake.readAdded("t", 1, 3).queryExecution().executedPlan().toString())
        .contains("DeltaCDFRelation");
  }

  @Test
  void timestampAndFilterSelections(SparkSession spark, @TempDir Path dir) throws Exception {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", tiny(spark, range(0, 20), colours(20, "r", "g")), "b0", "run");
    Thread.sleep(50);
    IngestJob.ingest(lake, "t", tiny(spark, range(20, 30), colours(10, "b")), "b1", "run");
    List<Row> commits = lake.history("t").select("version", "timestamp").orderBy("version")
        .collectAsList();
    Timestamp t0 = commits.get(0).getTimestamp(1);
    Timestamp t1 = commits.get(1).getTimestamp(1);
    assertThat(lake.resolve(TableRef.parse("t@" + t1.toInstant())).version()).hasValue(1);
    assertThat(lake.resolve(TableRef.parse("t@" + t1.toInstant().minusMillis(1))).version())
        .hasValue(0);
    String early = t0.toInstant().minusSeconds(3600).toString();
    assertThatThrownBy(() -> lake.resolve(TableRef.parse("t@" + early)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Table 't' has no version at or before " + early
            + " (its first, version 0, was committed at " + t0.toInstant() + ")");

    DriftRun run = DriftJob.run(lake, Optional.of(TableRef.parse("t@0")),
        Optional.of(TableRef.parse("t@1").where(Optional.of("colour = 'b' OR x < 2"))),
        Optional.of(dir.resolve("r")), "run-f");
    assertThat(run.currentRows()).isEqualTo(12);
    assertThat(run.current().selection()).isEqualTo("snapshot where colour = 'b' OR x < 2");

    assertThatThrownBy(() -> DriftJob.run(lake, Optional.of(TableRef.parse("t@0")),
        Optional.of(TableRef.parse("t@1").where(Optional.of("nope = 1"))),
        Optional.of(dir.resolve("r2")), "run-g"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--current-where: column 'nope' is not a column of t; "
            + "columns: [customer_id, x, colour, defaulted]");
  }
}
