package io.driftlake.jobs;

import static io.driftlake.jobs.TestDriftAndTrainJobs.tiny;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.profile.ProfileJob;
import io.driftlake.jobs.profile.ProfileStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift over versions whose data files VACUUM removed: one plain line when no stored profile
 * covers the version, and a run that succeeds from stored profiles logs no ERROR on its way.
 */
@ExtendWith(LocalSpark.class)
class TestVacuumedVersions {

  /** Every ERROR-or-worse event logged through log4j while it is attached to the root logger. */
  private static final class Errors extends AbstractAppender implements AutoCloseable {
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final Logger root = (Logger) LogManager.getRootLogger();

    Errors() {
      super("errors", null, null, true, Property.EMPTY_ARRAY);
      start();
      root.addAppender(this);
    }

    @Override
    public void append(LogEvent event) {
      if (event.getLevel().isMoreSpecificThan(Level.ERROR)) {
        events.add(event.getLoggerName() + ": " + event.getMessage().getFormattedMessage());
      }
    }

    List<String> events() {
      return List.copyOf(events);
    }

    @Override
    public void close() {
      root.removeAppender(this);
      stop();
    }
  }

  /** {@code n} values 1 + i·10⁻⁶, i = from, from + 1, …: close enough that KS needs the rows. */
  private static double[] dense(int from, int to) {
    return IntStream.range(from, to).mapToDouble(i -> 1 + i * 1e-6).toArray();
  }

  private static String[] colours(int n, String... names) {
    return IntStream.range(0, n).mapToObj(i -> names[i % names.length]).toArray(String[]::new);
  }

  /**
   * Table t: version 0 = 400 rows, version 1 appends 10, version 2 overwrites all with 400
   * others, version 3 appends 5. Version 0 is profiled; then VACUUM (retention 0) removes the
   * files of versions 0 and 1, which version 2 no longer uses.
   */
  private static Lake vacuumed(SparkSession spark, Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", tiny(spark, dense(0, 400), colours(400, "r", "g")), "b0", "run");
    IngestJob.ingest(lake, "t", tiny(spark, dense(400, 410), colours(10, "g")), "b1", "run");
    tiny(spark, dense(40, 440), colours(400, "r", "g", "b")).write().format("delta")
        .mode("overwrite").save(lake.path("t"));
    IngestJob.ingest(lake, "t", tiny(spark, dense(440, 445), colours(5, "b")), "b3", "run");
    ProfileJob.profile(lake, TableRef.parse("t@0"), "p0");
    spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
    try {
      spark.sql("VACUUM delta.`" + lake.path("t") + "` RETAIN 0 HOURS");
    } finally {
      spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "true");
    }
    return lake;
  }

  @Test
  void aVacuumedUnprofiledVersionIsOnePlainLineAndAProfiledOneRunsWithoutErrors(
      SparkSession spark, @TempDir Path dir) {
    Lake lake = vacuumed(spark, dir);
    assertThat(lake.missingFile("t", 0)).isPresent();
    assertThat(lake.missingFile("t", 1)).isPresent();
    assertThat(lake.missingFile("t", 2)).isEmpty();
    assertThat(lake.oldestReadable("t")).isEqualTo(OptionalLong.of(2));

    String message = "Table 't' version 1: its data files were removed by VACUUM and no stored "
        + "profile covers it; the oldest version still readable is 2";
    assertThatThrownBy(() -> DriftJob.run(lake, Optional.of(TableRef.parse("t@1")),
        Optional.of(TableRef.parse("t@3")), Optional.of(dir.resolve("r1")), "d1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    assertThatThrownBy(() -> ProfileJob.profile(lake, TableRef.parse("t@1"), "p1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    assertThat(dir.resolve("r1")).doesNotExist();

    // Version 0 is gone too, but its stored profiles serve: exact mode falls back to them
    // without starting the exact passes, so nothing fails and nothing logs an ERROR.
    DriftRun run;
    try (Errors errors = new Errors()) {
      run = DriftJob.run(lake, Optional.of(TableRef.parse("t@0")),
          Optional.of(TableRef.parse("t@3")), Optional.of(dir.resolve("r2")), "d2");
      assertThat(errors.events()).isEmpty();
    }
    assertThat(run.referenceProfiles().source()).isEqualTo(ProfileStore.Source.STORED);
    assertThat(List.of(run.referenceRows(), run.currentRows())).containsExactly(400L, 405L);
    assertThat(run.mode()).isEqualTo(DriftSettings.StatisticsMode.APPROXIMATE);
    assertThat(run.modeNote()).startsWith("exact mode asked, but a data file of t@0 or t@3 is "
        + "gone (version 0 of table 't' reads a data file that VACUUM removed: ")
        .endsWith("), so KS, Wasserstein and numeric PSI/JS come from the stored profiles "
            + "with their error bounds");
  }
}
