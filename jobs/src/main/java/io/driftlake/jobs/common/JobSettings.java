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
  private static final Set<String> FREE_FORM = Set.of("driftlake.drift.thresholds");

  public record Tables(String training, String production, String models, String evaluations,
                       String driftResults) {}

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
    Config config = reference;
    if (file.isPresent()) {
      File f = new File(file.get());
      if (!f.isFile()) {
        throw new IllegalArgumentException("Config file not found: " + f.getAbsolutePath());
      }
      Config user = ConfigFactory.parseFile(f, ConfigParseOptions.defaults().setAllowMissing(false));
      checkKnownKeys(user, reference, f.getPath());
      try {
        config = user.withFallback(reference).resolve();
        config.checkValid(reference, ROOT);
      } catch (ConfigException e) {
        throw new IllegalArgumentException("Invalid config in " + f.getPath() + ": " + e.getMessage(), e);
      }
    }
    return from(config);
  }

  static JobSettings from(Config config) {
    Config c = config.getConfig(ROOT);
    Config t = c.getConfig("tables");
    Config tr = c.getConfig("train");
    Config d = c.getConfig("demo");
    return new JobSettings(
        Path.of(c.getString("lake-root")).toAbsolutePath().normalize(),
        new Tables(t.getString("training"), t.getString("production"), t.getString("models"),
            t.getString("evaluations"), t.getString("drift-results")),
        c.getString("spark.app-name"),
        new Schema(c.getString("schema.key"), c.getString("schema.label"),
            c.getStringList("schema.exclude")),
        new Train(tr.getDouble("test-fraction"), tr.getInt("max-iter"), tr.getDouble("reg-param"),
            tr.getDouble("elastic-net-param")),
        new Demo(d.getLong("rows"), d.getDoubleList("drift"), d.getLong("seed")),
        DriftSettings.from(config),
        config);
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
