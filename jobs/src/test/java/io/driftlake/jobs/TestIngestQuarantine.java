package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.ingest.IngestJob.BadRows;
import io.driftlake.jobs.ingest.Quarantine;
import io.driftlake.jobs.lake.Lake;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingest --bad-rows quarantine}: the rows that do not parse land in the rejected table with
 * their file, line, raw text and reason, the others in the table, each exactly once whatever
 * part of the batch an earlier run committed. One lake; each test has its own table.
 */
@ExtendWith(LocalSpark.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestIngestQuarantine {
  private Path dir;
  private Lake lake;

  @BeforeAll
  void createLake(@TempDir Path tempDir) {
    dir = tempDir;
    lake = TestLakes.lake(dir);
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve("landing").resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  /** A table (id int, age int, city string) at version 0 with two rows. */
  private void createTable(String table) throws IOException {
    Path first = write(table + "-first/b.csv", "id,age,city\n1,30,Oslo\n2,40,Rome\n");
    IngestJob.ingestFiles(lake, table, first.getParent().toString(), "csv", "b0", "r0", false);
    assertThat(lake.latestVersion(table)).hasValue(0);
  }

  private IngestJob.Result quarantine(String table, Path input, String batch, String run) {
    return IngestJob.ingestFiles(lake, table, input.toString(), "csv", batch, run, false,
        BadRows.QUARANTINE);
  }

  /** (file, line, raw, reason) of the rejected rows of {@code table}'s batch, in file and line order. */
  private List<List<Object>> rejected(String table, String batch) {
    if (!lake.exists("rejected")) {
      return List.of();
    }
    return lake.read(lake.resolve(TableRef.parse("rejected")))
        .where("`table` = '" + table + "' and batch_id = '" + batch + "'")
        .orderBy("file", "line").collectAsList().stream()
        .map(r -> List.<Object>of(r.getAs("file"), r.<Long>getAs("line"), r.getAs("raw"),
            r.getAs("reason")))
        .toList();
  }

  /** "id,age,city" of the rows version {@code version} of {@code table} added, sorted. */
  private List<String> added(String table, long version) {
    return lake.read(lake.resolve(TableRef.parse(table + "@" + version + ":added")))
        .orderBy("id").collectAsList().stream()
        .map(r -> r.get(r.fieldIndex("id")) + "," + r.get(r.fieldIndex("age")) + ","
            + r.get(r.fieldIndex("city")))
        .toList();
  }

  private Path badBatch(String table) throws IOException {
    write(table + "-bad/a.csv", "id,age,city\n"
        + "3,31,Oslo\n"
        + "4,old,Rome\n"
        + "\n"
        + "5,,\"Lima, Peru\"\n"
        + "6,41\n");
    write(table + "-bad/b.csv", "id,age,city\n"
        + "7,50,Kyiv,extra\n"
        + "x8,60,Bern\n"
        + "9,70,Bonn\n"
        + "x10,y10,Metz\n");
    return dir.resolve("landing").resolve(table + "-bad");
  }

  /** The rejected rows of {@link #badBatch}, written out by hand. */
  private List<List<Object>> expectedRejected(Path input) {
    String a = input.resolve("a.csv").toString();
    String b = input.resolve("b.csv").toString();
    return List.of(
        List.of(a, 3L, "4,old,Rome", "column 'age' is int, but the value 'old' does not parse"),
        List.of(a, 6L, "6,41", "malformed row: expected 3 fields (id,age,city), found 2"),
        List.of(b, 2L, "7,50,Kyiv,extra",
            "malformed row: expected 3 fields (id,age,city), found 4"),
        List.of(b, 3L, "x8,60,Bern", "column 'id' is int, but the value 'x8' does not parse"),
        List.of(b, 5L, "x10,y10,Metz", "column 'id' is int, but the value 'x10' does not parse"));
  }

  @Test
  void badRowsGoToTheRejectedTableWithFileLineRawAndReasonAndTheRestIsIngested()
      throws IOException {
    createTable("people");
    Path input = badBatch("people");
    long rejectedVersion = lake.latestVersion("rejected").orElse(-1) + 1;
    IngestJob.Result result = quarantine("people", input, "q1", "run-q1");

    assertThat(result.message()).isEqualTo("ingest: batch 'q1' written to table 'people' as "
        + "version 1; 5 rows rejected, in table 'rejected' version " + rejectedVersion
        + " (table = 'people' and batch_id = 'q1')");
    assertThat(result.rejected().orElseThrow().examples()).containsExactly(
        "file " + input.resolve("a.csv") + ", line 3: column 'age' is int, but the value 'old' "
            + "does not parse: '4,old,Rome'",
        "file " + input.resolve("a.csv") + ", line 6: malformed row: expected 3 fields "
            + "(id,age,city), found 2: '6,41'",
        "file " + input.resolve("b.csv") + ", line 2: malformed row: expected 3 fields "
            + "(id,age,city), found 4: '7,50,Kyiv,extra'");
    assertThat(rejected("people", "q1")).isEqualTo(expectedRejected(input));
    assertThat(added("people", 1)).containsExactly("3,31,Oslo", "5,null,Lima, Peru", "9,70,Bonn");

    Row row = lake.read(lake.resolve(TableRef.parse("rejected"))).where("`table` = 'people' "
        + "and line = 3").first();
    assertThat(Arrays.asList(row.schema().fieldNames())).isEqualTo(Quarantine.COLUMNS);
    assertThat(row.<String>getAs("run_id")).isEqualTo("run-q1");
    assertThat(row.<java.sql.Timestamp>getAs("ingested_at")).isNotNull();
    assertThat(lake.history("rejected").where("version = " + rejectedVersion)
        .select("userMetadata").first().getString(0)).contains("\"batch_id\":\"q1\"");

    // The same batch again adds nothing to either table.
    IngestJob.Result again = quarantine("people", input, "q1", "run-q1-retry");
    assertThat(again.message()).isEqualTo("ingest: batch 'q1' was already ingested into table "
        + "'people' as version 1; nothing written");
    assertThat(lake.latestVersion("people")).hasValue(1);
    assertThat(lake.latestVersion("rejected")).hasValue(rejectedVersion);
  }

  /**
   * A run that died after committing the rejected rows and before the data: its rerun adds no
   * rejected row and commits the data once.
   */
  @Test
  void aRerunAfterOnlyTheRejectedRowsWereCommittedWritesEachRowOnce() throws IOException {
    createTable("partial");
    Path input = badBatch("partial");
    long before = lake.latestVersion("rejected").orElse(-1);
    try (Quarantine.Split split = Quarantine.split(lake, "partial", input.toString(), "p1",
        "run-died")) {
      assertThat(split.rows()).isEqualTo(8);
      assertThat(split.rejectedRows()).isEqualTo(5);
      assertThat(Quarantine.commitRejected(lake, "partial", split, "p1", "run-died")
          .orElseThrow().written()).isTrue();
    }
    long rejectedVersion = before + 1;
    assertThat(lake.latestVersion("rejected")).hasValue(rejectedVersion);
    assertThat(lake.latestVersion("partial")).hasValue(0);

    IngestJob.Result rerun = quarantine("partial", input, "p1", "run-rerun");
    assertThat(rerun.message()).isEqualTo("ingest: batch 'p1' written to table 'partial' as "
        + "version 1; 5 rows rejected, in table 'rejected' version " + rejectedVersion
        + " (table = 'partial' and batch_id = 'p1'), written by an earlier run");
    assertThat(lake.latestVersion("rejected")).hasValue(rejectedVersion);
    assertThat(rejected("partial", "p1")).isEqualTo(expectedRejected(input));
    assertThat(added("partial", 1)).containsExactly("3,31,Oslo", "5,null,Lima, Peru",
        "9,70,Bonn");
    assertThat(lake.read(lake.resolve(TableRef.parse("partial"))).count()).isEqualTo(5);
  }

  /**
   * Quarantine is of rows: a batch whose columns differ from the table's, or whose every row is
   * rejected, writes nothing to either table; a batch without bad rows writes no rejected rows.
   */
  @Test
  void aWrongSchemaOrABatchOfOnlyBadRowsWritesNothingAnywhere() throws IOException {
    createTable("strict");
    OptionalLong rejectedBefore = lake.latestVersion("rejected");
    Path extra = write("strict-extra/b.csv", "id,age,city,score\n3,31,Oslo,1\n4,x,Rome,2\n");
    assertThatThrownBy(() -> quarantine("strict", extra.getParent(), "s1", "r"))
        .hasMessage("Schema mismatch for table 'strict': missing columns [], unexpected columns "
            + "[score], type changes []; nothing was written (table stays at version 0)");
    Path allBad = write("strict-all-bad/b.csv", "id,age,city\nx,1,Oslo\n2,y,Rome\n");
    assertThatThrownBy(() -> quarantine("strict", allBad.getParent(), "s2", "r"))
        .hasMessage("all 2 rows of input '" + allBad.getParent() + "' were rejected (first: file "
            + allBad + ", line 2: column 'id' is int, but the value 'x' does not parse: "
            + "'x,1,Oslo'); nothing written to table 'strict' or 'rejected'");
    Path headerOnly = write("strict-header/b.csv", "id,age,city\n");
    assertThatThrownBy(() -> quarantine("strict", headerOnly.getParent(), "s3", "r"))
        .hasMessage("input '" + headerOnly.getParent() + "' has no rows (a header only?); nothing "
            + "written to table 'strict' (pass --allow-empty true to commit an empty version)");
    assertThat(lake.latestVersion("strict")).hasValue(0);
    assertThat(lake.latestVersion("rejected")).isEqualTo(rejectedBefore);

    Path clean = write("strict-clean/b.csv", "id,age,city\n3,31,Oslo\n");
    assertThat(quarantine("strict", clean.getParent(), "s4", "r").message())
        .isEqualTo("ingest: batch 's4' written to table 'strict' as version 1");
    assertThat(lake.latestVersion("rejected")).isEqualTo(rejectedBefore);
  }

  /** The mode comes from `driftlake.ingest.bad-rows` (default fail); a bad value names key, file, line. */
  @Test
  void theModeIsAConfigKeyWhoseBadValueNamesTheKeyTheFileAndTheLine(@TempDir Path confDir) {
    assertThat(BadRows.of(TestLakes.settings(confDir, "").config())).isEqualTo(BadRows.FAIL);
    assertThat(BadRows.of(TestLakes.settings(confDir, "driftlake.ingest.bad-rows = quarantine\n")
        .config())).isEqualTo(BadRows.QUARANTINE);
    var settings = TestLakes.settings(confDir, "driftlake.ingest.bad-rows = drop\n");
    assertThatThrownBy(() -> BadRows.of(settings.config()))
        .hasMessage("driftlake.ingest.bad-rows (" + confDir.resolve("test.conf") + ": 3) must be "
            + "'fail' or 'quarantine', not 'drop'");
    assertThat(TestLakes.settings(confDir, "driftlake.tables.rejected = quarantined\n").tables()
        .rejected()).isEqualTo("quarantined");
  }
}
