package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest rows of the bad-input matrix: each case is one message naming the path, file, line,
 * column or table, and the table stays at its previous version. One shared lake: each case
 * leaves it unchanged, which is what it asserts.
 */
@ExtendWith(LocalSpark.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestIngestBadInput {
  private Path dir;
  private Lake lake;

  @BeforeAll
  void createTable(@TempDir Path tempDir) throws IOException {
    dir = tempDir;
    lake = TestLakes.lake(dir);
    Path first = write("first/batch.csv", "id,age,city\n1,30,Oslo\n2,40,Rome\n");
    IngestJob.ingestFiles(lake, "people", first.getParent().toString(), "csv", "b1", "r1", false);
    assertThat(lake.latestVersion("people").getAsLong()).isZero();
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve("landing").resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  private void assertRefused(Path input, String message) {
    assertThatThrownBy(() -> IngestJob.ingestFiles(lake, "people", input.toString(), "csv",
        "bad", "r2", false)).hasMessage(message);
    assertThat(lake.latestVersion("people").getAsLong()).isZero();
  }

  @Test
  void aValueThatDoesNotParseNamesTheColumnTheFileAndTheLine() throws IOException {
    Path file = write("bad-value/b.csv", "id,age,city\n3,31,Paris\n4,old,Lima\n");
    assertRefused(file.getParent(), "column 'age' of table 'people' is int, but file "
        + file + ", line 3 has the value 'old'; "
        + "nothing written");
  }

  @Test
  void aMalformedRowIsNamedWithItsFileAndLine() throws IOException {
    Path file = write("malformed/b.csv", "id,age,city\n3,31,Paris\n4,41\n5,51,Kyiv\n");
    assertRefused(file.getParent(), "malformed CSV row in file "
        + file + ", line 3: '4,41' (expected 3 "
        + "fields: id,age,city); nothing written to table 'people'");
  }

  @Test
  void aHeaderOnlyFileCommitsNoEmptyVersion() throws IOException {
    Path file = write("header-only/b.csv", "id,age,city\n");
    assertRefused(file.getParent(), "input '" + file.getParent() + "' has no rows (a header "
        + "only?); nothing written to table 'people' (pass --allow-empty true to commit an empty "
        + "version)");
  }

  @Test
  void anEmptyFileAndAMissingPathAreSaidPlainly() throws IOException {
    Path file = write("empty/b.csv", "");
    assertRefused(file.getParent(), "input '" + file.getParent() + "' is empty (one file of 0 "
        + "bytes); nothing written");
    // The file itself, as parquet, or quarantined: the same, before any read.
    for (String format : List.of("csv", "parquet")) {
      for (IngestJob.BadRows mode : IngestJob.BadRows.values()) {
        assertThatThrownBy(() -> IngestJob.ingestFiles(lake, "people", file.toString(), format,
            "bad", "r2", false, mode)).as("%s, %s", format, mode)
            .hasMessage("input '" + file + "' is empty (one file of 0 bytes); nothing written");
      }
    }
    assertThat(lake.latestVersion("people").getAsLong()).isZero();
    Path missing = dir.resolve("landing/nope");
    assertRefused(missing, "input path '" + missing + "' does not exist; nothing written");
  }

  /**
   * A column whose type differs from the table's (parquet keeps its types) fails the whole batch,
   * in either bad-rows mode: it is the batch's schema, not a row, that is wrong.
   */
  @Test
  void aRetypedColumnIsASchemaMismatchThatWritesNothing() {
    Path parquet = dir.resolve("landing/retyped");
    LocalSpark.session().createDataFrame(List.of(RowFactory.create(3, "31", "Paris")),
            new StructType().add("id", DataTypes.IntegerType).add("age", DataTypes.StringType)
                .add("city", DataTypes.StringType))
        .write().parquet(parquet.toString());
    OptionalLong rejected = lake.latestVersion("rejected");
    for (IngestJob.BadRows mode : IngestJob.BadRows.values()) {
      assertThatThrownBy(() -> IngestJob.ingestFiles(lake, "people", parquet.toString(),
          "parquet", "bad", "r2", false, mode)).as("%s", mode)
          .hasMessage("Schema mismatch for table 'people': missing columns [], unexpected "
              + "columns [], type changes [age: table int, input string]; nothing was written "
              + "(table stays at version 0)");
    }
    assertThat(lake.latestVersion("people").getAsLong()).isZero();
    assertThat(lake.latestVersion("rejected")).isEqualTo(rejected);
  }

  @Test
  void tableNamesThatAreNotIdentifiersAreRefusedBeforeAnythingIsRead() {
    for (String name : List.of("../escape", "/tmp/abs", "", "a/b", "-x", "a b")) {
      assertThatThrownBy(() -> IngestJob.ingestFiles(lake, name, "/nowhere", "csv", "b", "r",
          false)).hasMessage("Bad table name '" + name + "': a table name is letters, digits, "
          + "'_' and '-' (not first), at most 128 characters, never a path; tables live in the "
          + "lake root");
    }
    assertThatThrownBy(() -> TableRef.parse("../x")).hasMessageStartingWith(
        "Bad table selection '../x'");
    assertThat(dir.resolve("escape")).doesNotExist();
  }

  /**
   * The job as a user runs it, in its own JVM: a failure is one line on stderr with a non-zero
   * exit, no stack trace; an unknown option is a usage error (exit 2).
   */
  @Test
  void aFailedJobEndsInOneLineAndItsExitCode() throws Exception {
    Path file = write("process/b.csv", "id,age,city\n9,x9,Bern\n");
    Process bad = TestProcesses.job(IngestJob.class, "--config", dir.resolve("test.conf").toString(),
        "--table", "people", "--input", file.getParent().toString(), "--format", "csv",
        "--batch-id", "p1");
    List<String> err = lines(bad);
    assertThat(bad.exitValue()).isEqualTo(JobMain.FAILURE);
    assertThat(err).containsExactly("ingest: column 'age' of table 'people' is int, but file "
        + file + ", line 2 has the value 'x9'; "
        + "nothing written");

    Process usage = TestProcesses.job(IngestJob.class, "--tabel", "people");
    assertThat(lines(usage)).containsExactly("ingest: unknown option '--tabel' (did you mean "
        + "--table?); bin/driftlake ingest --help lists the options");
    assertThat(usage.exitValue()).isEqualTo(JobMain.USAGE);
    assertThat(lake.latestVersion("people").getAsLong()).isZero();
  }

  /**
   * A bad {@code --config} (missing file, unknown key, value of the wrong type or not one of the
   * allowed ones) or {@code --bad-rows} value, as a user runs the job: one line naming the key,
   * the file and the line, exit 1 (2 for the option), before Spark starts, nothing written.
   */
  @Test
  void aBadConfigEndsInOneLineNamingTheKeyTheFileAndTheLine() throws Exception {
    Path missing = dir.resolve("missing.conf");
    Path unknown = Files.writeString(dir.resolve("unknown.conf"),
        "driftlake {\n  ingest.bad-row = quarantine\n}\n");
    Path wrongType = Files.writeString(dir.resolve("wrong-type.conf"), "driftlake.demo.rows = many\n");
    Path badValue = Files.writeString(dir.resolve("bad-value.conf"),
        "# the mode\ndriftlake.ingest.bad-rows = drop\n");
    Path input = write("config/b.csv", "id,age,city\n9,19,Bern\n").getParent();
    java.util.Map<Path, String> expected = new java.util.LinkedHashMap<>();
    expected.put(missing, "ingest: Config file not found: " + missing);
    expected.put(unknown, "ingest: Unknown config key 'driftlake.ingest.bad-row' in " + unknown
        + " (line 2)");
    expected.put(wrongType, "ingest: Invalid config in " + wrongType + ": " + wrongType
        + ": 1: driftlake.demo.rows has type STRING rather than NUMBER");
    expected.put(badValue, "ingest: driftlake.ingest.bad-rows (" + badValue + ": 2) must be "
        + "'fail' or 'quarantine', not 'drop'");
    for (var e : expected.entrySet()) {
      Process p = TestProcesses.job(IngestJob.class, "--config", e.getKey().toString(),
          "--table", "people", "--input", input.toString(), "--format", "csv", "--batch-id", "c");
      assertThat(lines(p)).as("%s", e.getKey()).containsExactly(e.getValue());
      assertThat(p.exitValue()).isEqualTo(JobMain.FAILURE);
    }
    Process option = TestProcesses.job(IngestJob.class, "--table", "people", "--input",
        input.toString(), "--format", "csv", "--batch-id", "c", "--bad-rows", "skip");
    assertThat(lines(option)).containsExactly("ingest: --bad-rows must be 'fail' or "
        + "'quarantine', not 'skip'; bin/driftlake ingest --help lists the options");
    assertThat(option.exitValue()).isEqualTo(JobMain.USAGE);
    assertThat(lake.latestVersion("people").getAsLong()).isZero();
  }

  /** stderr's lines once the process ended, without Spark's log lines (log4j writes them there). */
  private static List<String> lines(Process p) throws Exception {
    String err = new String(p.getErrorStream().readAllBytes());
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    return err.lines().filter(l -> !l.matches("^\\d\\d:\\d\\d:\\d\\d (WARN|INFO|ERROR) .*"))
        .toList();
  }
}
