package io.driftlake.jobs;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.lake.Lake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A real lake in a temp folder, configured through a real config file. */
final class TestLakes {
  /** Fewer optimiser iterations: each is a Spark job, and the tests compare models, not tune them. */
  static final String FAST_TRAINING = "driftlake.train.params.logistic-regression.maxIter = 15\n";

  private TestLakes() {}

  /**
   * A lake configured with {@code extraConfig}. Drift's {@code min-rows} is 1 unless
   * {@code extraConfig} sets it: most tests compare a few hand-checkable rows (an empty side is
   * still not computable).
   */
  static JobSettings settings(Path dir, String extraConfig) {
    try {
      Path conf = dir.resolve("test.conf");
      Files.writeString(conf, "driftlake.lake-root = \"" + dir.resolve("lake") + "\"\n"
          + "driftlake.drift.min-rows = 1\n" + extraConfig);
      return JobSettings.load(Optional.of(conf.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Lake lake(Path dir) {
    return new Lake(LocalSpark.session(), settings(dir, ""));
  }
}
