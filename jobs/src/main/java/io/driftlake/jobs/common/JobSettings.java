package io.driftlake.jobs.common;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import io.driftlake.drift.config.DriftSettings;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a job reads from config, loaded and validated once, before Spark starts: a missing
 * file, a key we do not know under {@code driftlake} or a value of the wrong type is an error that
 * names the key and the file.
 */
public record JobSettings(Path lakeRoot, Tables tables, String appName, Schema schema, Train train,
                          Demo demo, DriftSettings drift, Config config) {
  public static final String ROOT = "driftlake";
  /** Subtrees whose keys are free-form (maps by method id). */
  private static final Set<String> FREE_FORM = Set.of("driftlake.drift.thresholds",
      "driftlake.drift.type-thresholds", "driftlake.drift.features",
      "driftlake.drift.checks.features");

  public record Tables(String training, String production, String models, String evaluations,
                       String driftResults, String driftChecks, String profiles) {}

  public record Schema(String key, String label, List<String> exclude) {
    /** Columns that are never features. */
    public Set<String> nonFeatures() {
      var all = new java.util.HashSet<>(exclude);
      all.add(key);
      all.add(label);
      return Set.copyOf(all);
    }
  }

  public record Train(double testFraction, int maxIter, double regParam, double elasticNetParam) {}

  public record Demo(long rows, List<Double> drift, long seed) {}

  /** Loads {@code file} over the defaults, or the defaults alone when no file is given. */
  public static JobSettings load(Optional<String> file) {
    Config reference = ConfigFactory.defaultReference();
    if (file.isEmpty()) {
      return from(reference);
    }
    File f = new File(file.get());
    if (!f.isFile()) {
      throw new IllegalArgumentException("Config file not found: " + f.getAbsolutePath());
    }
    Config user = ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false));
    checkKnownKeys(user, reference, f.getPath());
    try {
      Config config = user.withFallback(reference).resolve();
      config.checkValid(reference, ROOT);
      return from(config);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new IllegalArgumentException("Invalid config in " + f.getPath() + ": " + e.getMessage(), e);
    }
  }

  /** Reads with full key paths, so a wrong value's error names the whole key. */
  static JobSettings from(Config c) {
    return new JobSettings(
        Path.of(c.getString("driftlake.lake-root")).toAbsolutePath().normalize(),
        new Tables(c.getString("driftlake.tables.training"),
            c.getString("driftlake.tables.production"), c.getString("driftlake.tables.models"),
            c.getString("driftlake.tables.evaluations"),
            c.getString("driftlake.tables.drift-results"),
            c.getString("driftlake.tables.drift-checks"),
            c.getString("driftlake.tables.profiles")),
        c.getString("driftlake.spark.app-name"),
        new Schema(c.getString("driftlake.schema.key"), c.getString("driftlake.schema.label"),
            c.getStringList("driftlake.schema.exclude")),
        new Train(c.getDouble("driftlake.train.test-fraction"), c.getInt("driftlake.train.max-iter"),
            c.getDouble("driftlake.train.reg-param"),
            c.getDouble("driftlake.train.elastic-net-param")),
        new Demo(c.getLong("driftlake.demo.rows"), c.getDoubleList("driftlake.demo.drift"),
            c.getLong("driftlake.demo.seed")),
        DriftSettings.from(c),
        c);
  }

  private static void checkKnownKeys(Config user, Config reference, String file) {
    if (!user.hasPath(ROOT)) {
      return;
    }
    for (Map.Entry<String, ConfigValue> e : user.getConfig(ROOT).entrySet()) {
      String path = ROOT + "." + e.getKey();
      if (FREE_FORM.stream().anyMatch(p -> path.startsWith(p + "."))) {
        continue;
      }
      if (!reference.hasPathOrNull(path)) {
        throw new IllegalArgumentException(String.format(
            "Unknown config key '%s' in %s (line %d)", path, file,
            e.getValue().origin().lineNumber()));
      }
    }
  }
}
