package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.testing.SourceTree;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rooms of the jobs module, checked on its main sources (docs/ARCHITECTURE.md): no package
 * cycle, no job calling into another job's {@code *Job} class (what rooms share lives in a
 * non-job class of its room), no file over 400 lines, no machine timings in comments. The lists
 * below are what is still left; they only shrink (an entry that no longer applies fails the test
 * until it is removed).
 */
class TestArchitecture {
  private static final SourceTree TREE = SourceTree.read(Path.of(""), "io.driftlake.jobs");

  /**
   * {@code file -> Job} references across job packages: the demo runs the other jobs' entry
   * points in order (it is the one composer of jobs).
   */
  private static final List<String> JOB_CALLS = List.of(
      "demo/DemoJob -> drift/DriftJob",
      "demo/DemoJob -> feedback/FeedbackJob",
      "demo/DemoJob -> generate/GenerateJob",
      "demo/DemoJob -> ingest/IngestJob",
      "demo/DemoJob -> models/ModelsJob",
      "demo/DemoJob -> score/ScoreJob",
      "demo/DemoJob -> train/TrainJob");

  @Test
  void noPackageCycle() {
    assertThat(TREE.packageCycles()).isEmpty();
  }

  @Test
  void noJobCallsAnotherJob() {
    List<String> calls = new ArrayList<>();
    for (SourceTree.Source s : TREE.sources()) {
      for (String c : TREE.referencedClasses(s)) {
        String pkg = c.substring(0, c.lastIndexOf('.'));
        if (c.endsWith("Job") && !pkg.equals(s.packageName())) {
          calls.add(TREE.relative(s.packageName()) + "/" + s.simpleName() + " -> "
              + TREE.relative(pkg) + "/" + c.substring(pkg.length() + 1));
        }
      }
    }
    assertThat(calls).isEqualTo(JOB_CALLS);
  }

  @Test
  void noFileOverFourHundredLines() {
    assertThat(TREE.longerThan(400)).isEmpty();
  }

  @Test
  void noTimingsInComments() {
    assertThat(TREE.timingsInComments()).isEmpty();
  }
}
