package io.driftlake.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.testing.SourceTree;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rooms of lib-drift, checked on its main sources (docs/ARCHITECTURE.md): no package cycle,
 * the math free of Spark, no file over 400 lines, no machine timings in comments.
 */
class TestArchitecture {
  private static final SourceTree TREE = SourceTree.read(Path.of(""), "io.driftlake.drift");

  /** Packages of plain Java: Spark stays in {@code spark/}, the entry point and the store. */
  private static final Set<String> SPARK_FREE = Set.of("api", "compare", "config", "estimate",
      "feature", "format", "method", "profile", "quality", "report", "stat");

  @Test
  void noPackageCycle() {
    assertThat(TREE.packageCycles()).isEmpty();
  }

  @Test
  void mathIsFreeOfSpark() {
    assertThat(TREE.importing(SPARK_FREE, "org.apache.spark")).isEmpty();
    assertThat(TREE.importing(SPARK_FREE, "io.delta")).isEmpty();
  }

  @Test
  void noFileOverFourHundredLines() {
    assertThat(TREE.longerThan(400)).isEmpty();
  }

  @Test
  void noTimingsInComments() {
    assertThat(TREE.timingsInComments()).isEmpty();
  }

  @Test
  void commentsAndStringsAreNotCode() {
    String[] split = SourceTree.split("a = \"io.x.Y // no\"; // io.z.W 2 s\n/* io.q.R */ b;");
    assertThat(split[0]).doesNotContain("io.").contains("a =").contains("b;").contains("\n");
    assertThat(split[0]).hasSameSizeAs(split[1]);
    assertThat(split[1].strip()).isEqualTo("// io.z.W 2 s\n/* io.q.R */");
  }

  @Test
  void findsACycleAndItsPackages() {
    SourceTree.Source a = new SourceTree.Source(Path.of("a/A.java"), "x.a", "A", 1,
        "x.b.B b;", "", java.util.List.of());
    SourceTree.Source b = new SourceTree.Source(Path.of("b/B.java"), "x.b", "B", 1,
        "x.a.A a;", "", java.util.List.of());
    SourceTree.Source c = new SourceTree.Source(Path.of("c/C.java"), "x.c", "C", 1,
        "x.a.A a;", "", java.util.List.of());
    assertThat(SourceTree.of(Path.of(""), "x", java.util.List.of(a, b, c)).packageCycles())
        .containsExactly("a <-> b");
  }
}
