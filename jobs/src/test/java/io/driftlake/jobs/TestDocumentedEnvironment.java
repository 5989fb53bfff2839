package io.driftlake.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.driftlake.jobs.common.JobSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README.md and docs/ name only environment variables that some script or source file reads, and
 * docs/CONFIGURATION.md lists every one that is read. A variable counts as read where code takes
 * it from the environment: in a string literal (Java, Python, a notebook's code cells), a shell
 * expansion ({@code $X}, {@code ${X:-default}}) or a HOCON substitution ({@code ${?X}}), on a
 * line that is no comment. Prose (Markdown, comments, docstrings in backticks) never counts.
 */
class TestDocumentedEnvironment {
  /** Maven runs the tests in the module's folder. */
  private static final Path ROOT = Path.of("..");
  private static final List<String> SOURCES = List.of("bin", "conf", ".ci", "jobs/src",
      "lib-drift/src", "examples/src", "airflow-dags/dags", "airflow-dags/tests", "notebooks",
      "bench");
  private static final Set<String> SKIPPED_DIRS = Set.of("target", ".venv", "__pycache__",
      ".ipynb_checkpoints", ".pytest_cache");
  /** This file names variables in its own examples; they are read by nothing. */
  private static final Path SELF =
      Path.of("jobs/src/test/java/io/driftlake/jobs/TestDocumentedEnvironment.java");
  private static final String NAME = "DRIFTLAKE_[A-Z0-9_]*[A-Z0-9]";
  private static final Pattern NAMED = Pattern.compile(NAME);
  private static final Pattern READ = Pattern.compile("(?:\\$\\{\\??|\\$|[\"'])(" + NAME + ")");

  @Test
  void everyVariableTheDocsNameIsRead() {
    assertThat(unread(documented(), read()))
        .describedAs("README.md or docs/ name variables that no script or source file reads")
        .isEmpty();
  }

  @Test
  void theConfigurationPageListsEveryVariableThatIsRead() {
    Set<String> listed = namesIn(text(ROOT.resolve("docs/CONFIGURATION.md")), NAMED);
    Set<String> missing = new TreeSet<>(read());
    missing.removeAll(listed);
    assertThat(missing).describedAs("read by the code but not in docs/CONFIGURATION.md").isEmpty();
  }

  @Test
  void aDocumentedVariableThatNothingReadsIsReported() {
    String made = "DRIFTLAKE_" + "LAKE_ROOTS"; // one letter off a real one
    Map<String, Set<String>> docs = Map.of(made, Set.of("README.md"),
        "DRIFTLAKE_" + "LAKE_ROOT", Set.of("README.md"));
    assertThat(unread(docs, read())).containsExactly(Map.entry(made, Set.of("README.md")));
  }

  @Test
  void onlyCodeCountsAsReading() {
    String v = "DRIFTLAKE_" + "X";
    assertThat(namesIn("x = os.environ.get(\"" + v + "\", \"a\")", READ)).containsExactly(v);
    assertThat(namesIn("\"    os.environ.get(\\\"" + v + "\\\")\\n\",", READ)).containsExactly(v);
    assertThat(namesIn("python=${" + v + ":-python3.11}", READ)).containsExactly(v);
    assertThat(namesIn("lake-root = ${?" + v + "}", READ)).containsExactly(v);
    assertThat(namesIn("if [ \"$" + v + "\" = 1 ]", READ)).containsExactly(v);
    assertThat(namesIn("System.getenv(\"" + v + "\")", READ)).containsExactly(v);
    assertThat(namesIn("# set " + v + "=1 to keep it", READ)).isEmpty();
    assertThat(namesIn("  * ``" + v + "`` the jar", READ)).isEmpty();
    assertThat(namesIn("| `" + v + "` | default |", READ)).isEmpty();
    assertThat(namesReadIn("// System.getenv(\"" + v + "\")\n * \"" + v + "\"\n")).isEmpty();
  }

  /** What docs/CONFIGURATION.md says a config file of one's own can do. */
  @Test
  void aConfigFileTakesAnyKeyFromTheEnvironmentWithAnOptionalSubstitution(@TempDir Path dir)
      throws IOException {
    Path conf = dir.resolve("my.conf");
    Files.writeString(conf, "driftlake.spark.app-name = ${?PATH}\n");
    assertThat(JobSettings.load(Optional.of(conf.toString())).appName())
        .isEqualTo(System.getenv("PATH"));
    Files.writeString(conf, "driftlake.spark.app-name = ${?NO_SUCH_VARIABLE_FOR_THIS_TEST}\n");
    assertThat(System.getenv("NO_SUCH_VARIABLE_FOR_THIS_TEST")).isNull();
    assertThat(JobSettings.load(Optional.of(conf.toString())).appName()).isEqualTo("driftlake");
  }

  /**
   * What docs/CONFIGURATION.md says of system properties: {@code -Ddriftlake.…} overrides the
   * built-in defaults (Typesafe Config's reference layer), and a {@code --config} file overrides it.
   */
  @Test
  void aSystemPropertyOverridesTheDefaultsAndAConfigFileOverridesIt(@TempDir Path dir)
      throws IOException {
    String key = "driftlake.drift.bins";
    Path conf = dir.resolve("my.conf");
    Files.writeString(conf, "driftlake.drift.dataset-drift-share = 0.5\n");
    assertThat(JobSettings.load(Optional.empty()).drift().bins()).isEqualTo(10);
    System.setProperty(key, "17");
    ConfigFactory.invalidateCaches();
    try {
      assertThat(JobSettings.load(Optional.empty()).drift().bins()).isEqualTo(17);
      assertThat(JobSettings.load(Optional.of(conf.toString())).drift().bins()).isEqualTo(17);
      Files.writeString(conf, key + " = 12\n");
      assertThat(JobSettings.load(Optional.of(conf.toString())).drift().bins()).isEqualTo(12);
    } finally {
      System.clearProperty(key);
      ConfigFactory.invalidateCaches();
    }
    assertThat(JobSettings.load(Optional.empty()).drift().bins()).isEqualTo(10);
  }

  /** Each variable the docs name that is not in {@code read}, with the files naming it. */
  static Map<String, Set<String>> unread(Map<String, Set<String>> documented, Set<String> read) {
    Map<String, Set<String>> out = new TreeMap<>(documented);
    out.keySet().removeAll(read);
    return out;
  }

  /** Variable name → the files of README.md and docs/ that name it. */
  private static Map<String, Set<String>> documented() {
    Map<String, Set<String>> out = new TreeMap<>();
    List<Path> docs = Stream.concat(Stream.of(ROOT.resolve("README.md")),
        files(ROOT.resolve("docs")).filter(p -> p.toString().endsWith(".md"))).toList();
    assertThat(docs).hasSizeGreaterThan(1);
    for (Path doc : docs) {
      for (String name : namesIn(text(doc), NAMED)) {
        out.computeIfAbsent(name, k -> new TreeSet<>()).add(ROOT.relativize(doc).toString());
      }
    }
    return out;
  }

  /** The variables some script or source file reads. */
  private static Set<String> read() {
    Set<String> out = new TreeSet<>();
    for (String source : SOURCES) {
      files(ROOT.resolve(source))
          .filter(p -> !p.toString().endsWith(".md") && !ROOT.relativize(p).equals(SELF))
          .forEach(p -> out.addAll(namesReadIn(text(p))));
    }
    assertThat(out).describedAs("the scanner found nothing: wrong folder?")
        .contains("DRIFTLAKE_" + "LAKE_ROOT");
    return out;
  }

  private static Set<String> namesReadIn(String text) {
    Set<String> out = new TreeSet<>();
    for (String line : text.split("\n")) {
      String t = line.strip();
      if (!(t.startsWith("#") || t.startsWith("//") || t.startsWith("*") || t.startsWith("/*")
          || t.startsWith("<!--"))) {
        out.addAll(namesIn(line, READ));
      }
    }
    return out;
  }

  private static Set<String> namesIn(String text, Pattern pattern) {
    Set<String> out = new TreeSet<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      out.add(m.groupCount() > 0 ? m.group(1) : m.group());
    }
    return out;
  }

  private static Stream<Path> files(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> noSkippedDir(dir.relativize(p))).filter(Files::isRegularFile)
          .toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean noSkippedDir(Path relative) {
    for (Path part : relative) {
      if (SKIPPED_DIRS.contains(part.toString())) {
        return false;
      }
    }
    return true;
  }

  /** Every byte as one char: the names are ASCII, and a binary file cannot fail to decode. */
  private static String text(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
