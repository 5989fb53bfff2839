package io.driftlake.jobs.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.jobs.common.JobArgs;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.io.DriverTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code doctor [--fix] [--min-age MINUTES]}: lists what a killed job can leave behind in the lake.
 *
 * <ul>
 *   <li><b>orphan artifact</b>: a folder in {@code <lake-root>/model-artifacts} that no
 *       {@code models} row names: a train killed after saving its artifact and before committing
 *       its row (its rerun trains and saves a new one). {@code --fix} removes it, once it is older
 *       than {@code --min-age} minutes (default 60: a train still running has saved its artifact
 *       and is about to commit its row; that artifact is listed as {@code recent}, never removed).
 *   <li><b>missing artifact</b>: a {@code models} row whose artifact folder does not exist (train
 *       writes the artifact before the row, so only a hand-deleted folder does this). Listed, never
 *       fixed: rows are never removed.
 *   <li><b>uncommitted files</b>: data files in a table's folder that no commit of its log names
 *       (a write killed before its commit). No reader sees them; they are Delta's to remove, with
 *       {@code VACUUM} once older than the retention period. Listed, never removed here.
 * </ul>
 *
 * <p>It reads the lake on the local file system with Delta Kernel and the log's JSON: no Spark.
 *
 * <p>Exit code: 0 when nothing is listed, or with {@code --fix}; 3 when something is listed and
 * {@code --fix} was not given. One line per item; with {@code --fix}, one line per removal.
 */
public final class DoctorJob {
  /** The exit code of a listing (without {@code --fix}) that found leftovers. */
  public static final int LEFTOVERS = 3;
  static final String FIX = "--fix";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What doctor reads of a {@code models} row. */
  private static final StructType MODEL_COLUMNS = new StructType()
      .add("model_id", DataTypes.StringType).add("run_id", DataTypes.StringType)
      .add("artifact_path", DataTypes.StringType);

  private DoctorJob() {}

  public static void main(String[] args) {
    JobMain.run("doctor", args, DoctorJob::execute);
  }

  static int execute(String[] args) throws Exception {
    boolean fix = Arrays.asList(args).contains(FIX);
    String[] rest = Arrays.stream(args).filter(a -> !a.equals(FIX)).toArray(String[]::new);
    JobArgs a = JobArgs.parse("doctor", rest, Set.of("min-age"));
    long minAge = a.longOption("min-age", 60);
    if (minAge < 0) {
      throw new JobArgs.UsageException("--min-age must be minutes >= 0: " + minAge);
    }
    JobSettings settings = JobSettings.load(a.option("config"));
    List<Leftover> found = examine(settings, Duration.ofMinutes(minAge));
    int removed = 0;
    for (Leftover l : found) {
      if (fix && l.kind() == Kind.ORPHAN_ARTIFACT) {
        remove(l.path());
        System.out.println("removed orphan artifact " + l.path());
        removed++;
      } else {
        System.out.println(l.line());
      }
    }
    if (found.isEmpty()) {
      System.out.println("doctor: nothing left over in " + settings.lakeRoot());
      return 0;
    }
    System.out.printf("doctor: %d leftover(s) in %s%s%n", found.size(), settings.lakeRoot(),
        fix ? ", " + removed + " removed" : removed == 0 && found.stream().anyMatch(
            l -> l.kind() == Kind.ORPHAN_ARTIFACT) ? "; --fix removes the orphan artifacts" : "");
    return fix ? 0 : LEFTOVERS;
  }

  /** What a leftover is; only orphan artifacts old enough are removed by {@code --fix}. */
  public enum Kind { ORPHAN_ARTIFACT, RECENT_ARTIFACT, MISSING_ARTIFACT, UNCOMMITTED_FILES }

  /** One leftover: its kind, the file or folder, and the line that says what it is. */
  public record Leftover(Kind kind, Path path, String line) {}

  /**
   * Every leftover in the lake: artifacts no row names (by path), rows whose artifact is missing
   * (by model id), then tables with uncommitted files (by name).
   * An artifact no row names is {@code ORPHAN_ARTIFACT} when nothing in it changed for
   * {@code minAge}, else {@code RECENT_ARTIFACT}.
   */
  public static List<Leftover> examine(JobSettings settings, Duration minAge)
      throws IOException {
    List<Leftover> out = new ArrayList<>();
    Path root = settings.lakeRoot().toAbsolutePath().normalize();
    String models = settings.tables().models();
    List<Row> rows = DriverTable.latest(root.resolve(models).toString(), models)
        .map(t -> t.rows(MODEL_COLUMNS, io.delta.kernel.expressions.AlwaysTrue.ALWAYS_TRUE,
            r -> true))
        .orElse(List.of()).stream().sorted(java.util.Comparator.comparing(r -> r.getString(0)))
        .toList();
    Set<Path> named = new HashSet<>();
    for (Row r : rows) {
      named.add(localPath(r.getString(2)));
    }
    Path artifacts = root.resolve("model-artifacts");
    Instant cutoff = Instant.now().minus(minAge);
    for (Path artifact : children(artifacts)) {
      if (named.contains(artifact)) {
        continue;
      }
      Instant changed = lastChange(artifact);
      if (changed.isAfter(cutoff)) {
        out.add(new Leftover(Kind.RECENT_ARTIFACT, artifact, String.format(
            "recent artifact %s: no row in table '%s' names it, but it changed at %s, less than "
                + "%d min ago (a train still running?); not removed", artifact, models, changed,
            minAge.toMinutes())));
      } else {
        out.add(new Leftover(Kind.ORPHAN_ARTIFACT, artifact, String.format(
            "orphan artifact %s: no row in table '%s' names it (a train killed before its row; "
                + "last changed %s)", artifact, models, changed)));
      }
    }
    for (Row r : rows) {
      Path artifact = localPath(r.getString(2));
      if (!Files.exists(artifact)) {
        out.add(new Leftover(Kind.MISSING_ARTIFACT, artifact, String.format(
            "missing artifact: model %s (run %s) in table '%s' names %s, which does not exist; "
                + "the model cannot be loaded (rows are never removed)", r.getString(0),
            r.getString(1), models, artifact)));
      }
    }
    for (Path table : children(root)) {
      if (!Files.isDirectory(table.resolve("_delta_log"))) {
        continue;
      }
      List<String> stray = uncommitted(table);
      if (!stray.isEmpty()) {
        out.add(new Leftover(Kind.UNCOMMITTED_FILES, table, String.format(
            "uncommitted files: table '%s' has %d data file(s) no commit names (a write killed "
                + "before its commit; no reader sees them), e.g. %s; VACUUM removes them once "
                + "older than the retention period (doctor never deletes table files)",
            table.getFileName(), stray.size(), stray.get(0))));
      }
    }
    return out;
  }

  /**
   * The data files under {@code table} (relative paths, sorted) that no commit names: no add,
   * remove or cdc action of a JSON commit still in its log names them, and they were written
   * after the oldest such commit. (A file written before it was named, if at all, by a commit
   * whose JSON log cleanup removed and whose actions a checkpoint keeps: it is not counted.)
   */
  public static List<String> uncommitted(Path table) throws IOException {
    Path log = table.resolve("_delta_log");
    Set<String> named = new HashSet<>();
    FileTime oldest = null;
    try (Stream<Path> files = Files.list(log)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (!f.getFileName().toString().matches("\\d{20}\\.json")) {
          continue;
        }
        FileTime written = Files.getLastModifiedTime(f);
        oldest = oldest == null || written.compareTo(oldest) < 0 ? written : oldest;
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          JsonNode action = JSON.readTree(line);
          for (String kind : List.of("add", "remove", "cdc")) {
            JsonNode path = action.path(kind).path("path");
            if (path.isTextual()) {
              named.add(relative(table, path.asText()));
            }
          }
        }
      }
    }
    if (oldest == null) {
      return List.of();
    }
    FileTime since = oldest;
    try (Stream<Path> files = Files.walk(table)) {
      return files.filter(Files::isRegularFile)
          .filter(f -> f.getFileName().toString().endsWith(".parquet"))
          .filter(f -> !table.relativize(f).startsWith("_delta_log"))
          .filter(f -> !named.contains(table.relativize(f).toString()))
          .filter(f -> modified(f).compareTo(since) >= 0)
          .map(f -> table.relativize(f).toString()).sorted().toList();
    }
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A log action's path (relative and URL-encoded, or an absolute URI) relative to the table. */
  private static String relative(Path table, String path) {
    if (path.contains(":")) {
      Path absolute = Path.of(URI.create(path));
      return absolute.startsWith(table) ? table.relativize(absolute).toString() : path;
    }
    return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static Path localPath(String path) {
    Path p = path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path);
    return p.toAbsolutePath().normalize();
  }

  private static List<Path> children(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.toAbsolutePath().normalize()).sorted().toList();
    }
  }

  /** The latest modification time of anything in {@code path}. */
  private static Instant lastChange(Path path) throws IOException {
    try (Stream<Path> files = Files.walk(path)) {
      return files.map(f -> {
        try {
          return Files.getLastModifiedTime(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).max(Comparator.naturalOrder()).map(FileTime::toInstant).orElse(Instant.EPOCH);
    }
  }

  private static void remove(Path path) throws IOException {
    try (Stream<Path> files = Files.walk(path)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
