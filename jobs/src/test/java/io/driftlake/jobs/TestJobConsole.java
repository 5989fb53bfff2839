package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.ingest.IngestJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console of a job as a user runs it, in its own JVM with the project's log4j2.properties:
 * {@code --help} lists the options and exits 0, a usage error is one line and exit 2, and a real
 * job prints its own lines (one timed line per long stage), none of Spark's or Delta's warnings.
 */
class TestJobConsole {
  @TempDir Path dir;

  /** A finished process: exit code, stdout and stderr lines. */
  private record Ran(int code, List<String> out, List<String> err) {}

  private Ran run(Class<?> main, String... args) throws Exception {
    Path out = dir.resolve("out-" + System.nanoTime());
    Path err = dir.resolve("err-" + System.nanoTime());
    Process p = TestProcesses.command(main, args).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    return new Ran(p.exitValue(), Files.readAllLines(out), Files.readAllLines(err));
  }

  @Test
  void helpListsTheOptionsAndAUsageErrorIsOneLine() throws Exception {
    Ran help = run(DriftJob.class, "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out().get(0)).startsWith("Usage: bin/driftlake drift ");
    assertThat(String.join("\n", help.out())).contains("--reference=REF", "--current=REF",
        "--mode=exact|approximate|profiles", "--exit-code=status|zero", "--config=FILE",
        "--verbose", "Exit codes: 0 done");
    assertThat(help.err()).isEmpty();

    Ran usage = run(DriftJob.class, "--mode");
    assertThat(usage.code()).isEqualTo(JobMain.USAGE);
    assertThat(usage.err()).containsExactly("drift: Missing required parameter for option "
        + "'--mode' (exact|approximate|profiles); bin/driftlake drift --help lists the options");
    assertThat(usage.out()).isEmpty();
  }

  @Test
  void aJobPrintsItsStagesAndNoWarning() throws Exception {
    Path conf = Files.writeString(dir.resolve("test.conf"),
        "driftlake.lake-root = \"" + dir.resolve("lake") + "\"\n");
    Path input = Files.createDirectories(dir.resolve("landing"));
    Files.writeString(input.resolve("b.csv"), "id,age,city\n1,30,Oslo\n2,40,Rome\n3,50,Lima\n");
    Ran ingest = run(IngestJob.class, "--config", conf.toString(), "--table", "people",
        "--input", input.toString(), "--format", "csv", "--batch-id", "b1");
    assertThat(ingest.code()).as("%s", ingest.err()).isZero();
    assertThat(ingest.out()).hasSize(2);
    assertThat(ingest.out().get(0)).matches("ingest: reading \\Q" + input
        + "\\E \\(csv\\) into table 'people' \\.\\.\\. \\d+\\.\\d s");
    assertThat(ingest.out().get(1)).isEqualTo("ingest: batch 'b1' written to table 'people' as "
        + "version 0");
    // Neither Spark's nor Delta's WARN lines, DataSketches' Java-version line nor Spark's
    // loopback-hostname line, on either stream.
    assertThat(ingest.err()).noneMatch(l -> l.contains("WARN") || l.contains("Warning")
        || l.contains("loopback"));
  }
}
