package io.driftlake.jobs.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Location;
import io.driftlake.jobs.common.UsageException;
import io.driftlake.jobs.lake.DriverTable;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
 * <p>It reads the lake through Hadoop's FileSystem (local disk, s3a://, …) with Delta Kernel and the
 * log's JSON: no Spark. An s3a:// lake's settings come as {@code spark.hadoop.*} (spark-submit
 * {@code --conf}).
 *
 * <p>Exit code: 0 when nothing is listed, or with {@code --fix}; 3 when something is listed and
 * {@code --fix} was not given. One line per item; with {@code --fix}, one line per removal.
 */
@Command(name = "doctor", sortOptions = false, description = "Lists what killed runs left in "
    + "the lake (orphan model artifacts, rows whose artifact is missing, uncommitted files); "
    + "exit 3 when it lists any.")
public final class DoctorJob implements Callable<Integer> {
  /** The exit code of a listing (without {@code --fix}) that found leftovers. */
  public static final int LEFTOVERS = 3;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** What doctor reads of a {@code models} row. */
  private static final StructType MODEL_COLUMNS = new StructType()
      .add("model_id", DataTypes.StringType).add("run_id", DataTypes.StringType)
      .add("artifact_path", DataTypes.StringType);

  @Mixin private JobOptions options;

  @Option(names = "--fix", description = "Remove the orphan model artifacts (exit 0).")
  private boolean fix;

  @Option(names = "--min-age", paramLabel = "MINUTES", defaultValue = "60",
      description = "An artifact no row names is an orphan once nothing in it changed for this "
          + "long (default: ${DEFAULT-VALUE}).")
  private long minAge;

  private DoctorJob() {}

  public static void main(String[] args) {
    JobMain.run(new DoctorJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    if (minAge < 0) {
      throw new UsageException("--min-age must be minutes >= 0: " + minAge);
    }
    JobSettings settings = JobSettings.load(options.config());
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
  public record Leftover(Kind kind, Location path, String line) {}

  /**
   * Every leftover in the lake: artifacts no row names (by path), rows whose artifact is missing
   * (by model id), then tables with uncommitted files (by name).
   * An artifact no row names is {@code ORPHAN_ARTIFACT} when nothing in it changed for
   * {@code minAge}, else {@code RECENT_ARTIFACT}.
   */
  public static List<Leftover> examine(JobSettings settings, Duration minAge)
      throws IOException {
    List<Leftover> out = new ArrayList<>();
    Location root = settings.lakeRoot();
    Configuration conf = io.driftlake.jobs.lake.KernelLake.hadoopConf();
    FileSystem fs = root.fileSystem(conf);
    String models = settings.tables().models();
    List<Row> rows = DriverTable.latest(conf, root.resolve(models).toString(), models)
        .map(t -> t.rows(MODEL_COLUMNS, io.delta.kernel.expressions.AlwaysTrue.ALWAYS_TRUE,
            r -> true))
        .orElse(List.of()).stream().sorted(java.util.Comparator.comparing(r -> r.getString(0)))
        .toList();
    Set<Location> named = new HashSet<>();
    for (Row r : rows) {
      named.add(Location.parse(r.getString(2), "artifact_path"));
    }
    Location artifacts = root.resolve("model-artifacts");
    Instant cutoff = Instant.now().minus(minAge);
    for (Location artifact : children(fs, artifacts)) {
      if (named.contains(artifact)) {
        continue;
      }
      Instant changed = lastChange(fs, artifact);
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
      Location artifact = Location.parse(r.getString(2), "artifact_path");
      if (!fs.exists(artifact.hadoopPath())) {
        out.add(new Leftover(Kind.MISSING_ARTIFACT, artifact, String.format(
            "missing artifact: model %s (run %s) in table '%s' names %s, which does not exist; "
                + "the model cannot be loaded (rows are never removed)", r.getString(0),
            r.getString(1), models, artifact)));
      }
    }
    for (Location table : children(fs, root)) {
      if (!fs.isDirectory(table.resolve("_delta_log").hadoopPath())) {
        continue;
      }
      List<String> stray = uncommitted(fs, table);
      if (!stray.isEmpty()) {
        out.add(new Leftover(Kind.UNCOMMITTED_FILES, table, String.format(
            "uncommitted files: table '%s' has %d data file(s) no commit names (a write killed "
                + "before its commit; no reader sees them), e.g. %s; VACUUM removes them once "
                + "older than the retention period (doctor never deletes table files)",
            table.hadoopPath().getName(), stray.size(), stray.get(0))));
      }
    }
    return out;
  }

  /** {@link #uncommitted(FileSystem, Location)} of a table on local disk. */
  public static List<String> uncommitted(java.nio.file.Path table) throws IOException {
    Location location = Location.of(table);
    return uncommitted(location.fileSystem(new Configuration()), location);
  }

  /**
   * The data files under {@code table} (relative paths, sorted) that no commit names: no add,
   * remove or cdc action of a JSON commit still in its log names them, and they were written
   * after the oldest such commit. (A file written before it was named, if at all, by a commit
   * whose JSON log cleanup removed and whose actions a checkpoint keeps: it is not counted.)
   */
  public static List<String> uncommitted(FileSystem fs, Location table) throws IOException {
    String base = pathOf(fs, table.hadoopPath());
    Set<String> named = new HashSet<>();
    Long oldest = null;
    for (FileStatus f : fs.listStatus(table.resolve("_delta_log").hadoopPath())) {
      if (!f.isFile() || !f.getPath().getName().matches("\\d{20}\\.json")) {
        continue;
      }
      oldest = oldest == null ? f.getModificationTime() : Math.min(oldest, f.getModificationTime());
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(fs.open(f.getPath()),
          StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          JsonNode action = JSON.readTree(line);
          for (String kind : List.of("add", "remove", "cdc")) {
            JsonNode path = action.path(kind).path("path");
            if (path.isTextual()) {
              named.add(relative(base, path.asText()));
            }
          }
        }
      }
    }
    if (oldest == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(table.hadoopPath(), true);
    while (files.hasNext()) {
      LocatedFileStatus f = files.next();
      String relative = pathOf(fs, f.getPath()).substring(base.length() + 1);
      if (f.getPath().getName().endsWith(".parquet") && !relative.startsWith("_delta_log/")
          && !named.contains(relative) && f.getModificationTime() >= oldest) {
        out.add(relative);
      }
    }
    return out.stream().sorted().toList();
  }

  /** The decoded path part of {@code path} on {@code fs}, without a trailing slash. */
  private static String pathOf(FileSystem fs, org.apache.hadoop.fs.Path path) {
    String p = fs.makeQualified(path).toUri().getPath();
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /**
   * A log action's path (relative and URL-encoded, or an absolute URI) relative to the table
   * whose decoded path is {@code base}.
   */
  private static String relative(String base, String path) {
    if (path.contains(":")) {
      String absolute = URI.create(path).getPath();
      return absolute.startsWith(base + "/") ? absolute.substring(base.length() + 1) : path;
    }
    return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The entries of folder {@code dir}, by name; none when it does not exist. */
  private static List<Location> children(FileSystem fs, Location dir) throws IOException {
    try {
      return Arrays.stream(fs.listStatus(dir.hadoopPath()))
          .map(s -> dir.resolve(s.getPath().getName())).sorted(
              Comparator.comparing(Location::value)).toList();
    } catch (FileNotFoundException e) {
      return List.of();
    }
  }

  /** The latest modification time of anything in {@code path} (a folder's own included). */
  private static Instant lastChange(FileSystem fs, Location path) throws IOException {
    long latest = fs.getFileStatus(path.hadoopPath()).getModificationTime();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(path.hadoopPath(), true);
    while (files.hasNext()) {
      latest = Math.max(latest, files.next().getModificationTime());
    }
    return Instant.ofEpochMilli(latest);
  }

  private static void remove(Location path) throws IOException {
    path.fileSystem(io.driftlake.jobs.lake.KernelLake.hadoopConf()).delete(path.hadoopPath(), true);
  }
}
