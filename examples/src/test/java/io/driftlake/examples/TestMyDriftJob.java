package io.driftlake.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the example job's main on real local Spark and real Delta tables, with injected answers:
 * x shifted by half its range must be drifted, on DataFrames and on Delta versions alike; a
 * copy shifted by 0 must not.
 */
class TestMyDriftJob {
  private static String run(Path table, double shift) {
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      MyDriftJob.main(new String[] {table.toString(), Double.toString(shift)});
    } finally {
      System.setOut(out);
    }
    // Only the job's own lines: a library's stray console line is not the verdict.
    return printed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(" drifted: "))
        .collect(java.util.stream.Collectors.joining("\n"));
  }

  @Test
  void shiftDriftsAndCopyDoesNot(@TempDir Path dir) {
    assertThat(run(dir.resolve("shifted"), 50).lines())
        .containsExactly("dataframes drifted: true", "versions drifted: true");
    assertThat(run(dir.resolve("copy"), 0).lines())
        .containsExactly("dataframes drifted: false", "versions drifted: false");
  }
}
