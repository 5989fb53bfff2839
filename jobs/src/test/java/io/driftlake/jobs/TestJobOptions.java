package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.doctor.DoctorJob;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.generate.GenerateJob;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.models.ModelsJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each job's picocli options, parsed in this JVM (a usage error stops before settings or Spark):
 * exit 2 and one line naming the option and pointing to {@code --help}; {@code --help} exits 0.
 */
class TestJobOptions {
  /** A job's exit code, stdout and stderr. */
  private record Outcome(int code, String out, List<String> err) {}

  private static Outcome run(Class<?> job, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = JobMain.execute(job, args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(code, out.toString(StandardCharsets.UTF_8),
        err.toString(StandardCharsets.UTF_8).lines().toList());
  }

  private static void usage(Outcome o, String line) {
    assertThat(o.err()).containsExactly(line);
    assertThat(o.code()).isEqualTo(JobMain.USAGE);
    assertThat(o.out()).isEmpty();
  }

  @Test
  void usageErrorsNameTheOptionAndPointToHelp() {
    String hint = "; bin/driftlake ingest --help lists the options";
    // An unknown option is named before the required options it leaves missing.
    usage(run(IngestJob.class, "--tabel", "people"),
        "ingest: unknown option '--tabel' (did you mean --table?)" + hint);
    usage(run(IngestJob.class, "--table", "people", "--input", "x"),
        "ingest: Missing required option: '--batch-id=ID'" + hint);
    usage(run(IngestJob.class, "--table"),
        "ingest: Missing required parameter for option '--table' (NAME)" + hint);
    usage(run(IngestJob.class, "--table", "t", "--input", "x", "--batch-id", "b", "--allow-empty",
        "yes"), "ingest: Invalid value for option '--allow-empty': 'yes' is not a boolean" + hint);
    usage(run(IngestJob.class, "stray"), "ingest: unexpected argument 'stray'" + hint);
    usage(run(GenerateJob.class, "--output", "x", "--rows", "1x"), "generate: Invalid value for "
        + "option '--rows': '1x' is not a long; bin/driftlake generate --help lists the options");
    // A value the job itself refuses is a usage error too.
    usage(run(DriftJob.class, "--exit-code", "never"), "drift: --exit-code must be status or "
        + "zero: never; bin/driftlake drift --help lists the options");
    usage(run(DoctorJob.class, "--min-age=-1"), "doctor: --min-age must be minutes >= 0: -1; "
        + "bin/driftlake doctor --help lists the options");
  }

  @Test
  void modelsCommandsTakeTheirOwnOptions() {
    usage(run(ModelsJob.class, "--config=x.conf", "lst"), "models: unknown command 'lst' (did you "
        + "mean list?); bin/driftlake models --help lists the options");
    usage(run(ModelsJob.class, "list", "--model", "m"),
        "models: unknown option '--model'; bin/driftlake models list --help lists the options");
    usage(run(ModelsJob.class), "models: missing command: list, show, promote or rollback; "
        + "bin/driftlake models --help lists the options");
    usage(run(ModelsJob.class, "promote", "--model", "m", "--skip-gate", "why", "--evaluation",
        "production@2"), "models: --evaluation and --skip-gate exclude each other; "
        + "bin/driftlake models promote --help lists the options");
    Outcome help = run(ModelsJob.class, "promote", "-h");
    assertThat(help.code()).isZero();
    assertThat(help.out()).startsWith("Usage: bin/driftlake models promote ").contains("--skip-gate=REASON",
        "--evaluation=REF", "--config=FILE");
    assertThat(run(ModelsJob.class, "--help").out()).contains("rollback");
  }
}
