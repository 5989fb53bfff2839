package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.lake.Lake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code driftlake.lake-root} as a URI: local folders (bare, relative, {@code file:}) stay the
 * absolute paths they always were; {@code s3a://}, {@code abfss://} and {@code hdfs://} go to
 * Hadoop as written; nothing resolved under the root leaves it. (The lake on an S3-compatible
 * server, end to end: airflow-dags/tests/test_s3_lake.py.)
 */
class TestLakeLocation {
  private static final String WORKING_DIR = Path.of("").toAbsolutePath().toString();

  @Test
  void localFoldersAreAbsoluteNormalizedPaths() {
    assertThat(Location.parse("/tmp/a/../lake/", "k").value()).isEqualTo("/tmp/lake");
    assertThat(Location.parse("lake", "k").value()).isEqualTo(WORKING_DIR + "/lake");
    assertThat(Location.parse("./data/../lake", "k").value()).isEqualTo(WORKING_DIR + "/lake");
    assertThat(Location.parse("file:/tmp/lake", "k").value()).isEqualTo("/tmp/lake");
    assertThat(Location.parse("file:///tmp/my%20lake/x/..", "k").value())
        .isEqualTo("/tmp/my lake");
    assertThat(Location.parse("FILE:///tmp/lake", "k").local()).isTrue();
    assertThat(Location.parse("/tmp/lake", "k").localPath()).isEqualTo(Path.of("/tmp/lake"));
  }

  @Test
  void uriRootsGoToHadoopAsWritten() {
    assertThat(Location.parse("s3a://bucket/lake/", "k").value()).isEqualTo("s3a://bucket/lake");
    assertThat(Location.parse("S3A://bucket//deep/lake", "k").value())
        .isEqualTo("s3a://bucket/deep/lake");
    assertThat(Location.parse("s3a://bucket", "k").resolve("training").value())
        .isEqualTo("s3a://bucket/training");
    assertThat(Location.parse("abfss://data@acct.dfs.core.windows.net/lake", "k")
        .resolve("production").value())
        .isEqualTo("abfss://data@acct.dfs.core.windows.net/lake/production");
    assertThat(Location.parse("hdfs:///lake", "k").value()).isEqualTo("hdfs:///lake");
    assertThat(Location.parse("hdfs://nn:8020/lake", "k").hadoopPath().toUri().getAuthority())
        .isEqualTo("nn:8020");
    Location s3 = Location.parse("s3a://bucket/lake", "k");
    assertThat(s3.local()).isFalse();
    assertThatThrownBy(s3::localPath).isInstanceOf(IllegalStateException.class)
        .hasMessage("Not a local folder: s3a://bucket/lake");
  }

  @Test
  void badRootsAreOneLineErrorsNamingTheKey() {
    assertThatThrownBy(() -> Location.parse("s3a:bucket/lake", "driftlake.lake-root"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bad driftlake.lake-root 's3a:bucket/lake': expected SCHEME://AUTHORITY/PATH "
            + "(no query or fragment), e.g. s3a://bucket/lake");
    assertThatThrownBy(() -> Location.parse("s3a://bucket/lake?x=1", "driftlake.lake-root"))
        .hasMessage("Bad driftlake.lake-root 's3a://bucket/lake?x=1': expected "
            + "SCHEME://AUTHORITY/PATH (no query or fragment), e.g. s3a://bucket/lake");
    assertThatThrownBy(() -> Location.parse("s3a://bucket/a/../b", "driftlake.lake-root"))
        .hasMessage("Bad driftlake.lake-root 's3a://bucket/a/../b': '.' and '..' are not "
            + "allowed in a URI's path");
    assertThatThrownBy(() -> Location.parse(" ", "--report-dir"))
        .hasMessage("--report-dir is empty: expected a folder or a URI such as s3a://bucket/lake");
    assertThatThrownBy(() -> Location.parse("file:lake", "driftlake.lake-root"))
        .hasMessageStartingWith("Bad driftlake.lake-root 'file:lake': a file: URI is file:/PATH "
            + "or file:///PATH (");
  }

  @Test
  void configuredRootsAndTablesStayInTheLake(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("app.conf");
    Files.writeString(conf, "driftlake.lake-root = \"s3a://bucket/lake/\"\n");
    JobSettings s3 = JobSettings.load(Optional.of(conf.toString()));
    Lake lake = new Lake(LocalSpark.session(), s3);
    assertThat(lake.path("production")).isEqualTo("s3a://bucket/lake/production");
    assertThatThrownBy(() -> lake.path("../other-lake"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bad table name '../other-lake': a table name is letters, digits, '_' and "
            + "'-' (not first), at most 128 characters, never a path; tables live in the lake "
            + "root");
    assertThatThrownBy(() -> s3.lakeRoot().resolve("reports").resolve("../../x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Bad name '../../x' under s3a://bucket/lake/reports: one path segment, never "
            + "a path");
    assertThatThrownBy(() -> s3.lakeRoot().resolve(".."))
        .hasMessage("Bad name '..' under s3a://bucket/lake: one path segment, never a path");

    Files.writeString(conf, "driftlake.lake-root = \"file://" + dir + "/a/../lake\"\n");
    assertThat(new Lake(LocalSpark.session(), JobSettings.load(Optional.of(conf.toString())))
        .path("training")).isEqualTo(dir + "/lake/training");

    Files.writeString(conf, "driftlake.lake-root = \"s3a:lake\"\n");
    assertThatThrownBy(() -> JobSettings.load(Optional.of(conf.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid config in " + conf + ": Bad driftlake.lake-root 's3a:lake': "
            + "expected SCHEME://AUTHORITY/PATH (no query or fragment), e.g. s3a://bucket/lake");
  }

  @Test
  void reportsAreWrittenThroughHadoopWithoutChecksumFiles(@TempDir Path dir) throws Exception {
    Location file = Location.parse("file:" + dir + "/reports", "k").resolve("r-1")
        .resolve("drift.json");
    file.write(new org.apache.hadoop.conf.Configuration(), "{\"run_id\": \"r-1\"}");
    file.write(new org.apache.hadoop.conf.Configuration(), "{\"run_id\": \"r-1\", \"v\": 2}");
    assertThat(Files.readString(dir.resolve("reports/r-1/drift.json")))
        .isEqualTo("{\"run_id\": \"r-1\", \"v\": 2}");
    try (var listed = Files.list(dir.resolve("reports/r-1"))) {
      assertThat(listed.map(p -> p.getFileName().toString())).containsExactly("drift.json");
    }
  }
}
