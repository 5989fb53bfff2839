package io.driftlake.jobs.common;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.jobs.ml.ModelMetric;
import io.driftlake.jobs.ml.TrainSettings;
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
public record JobSettings(Location lakeRoot, Tables tables, String appName, Schema schema,
                          TrainSettings train, Evaluate evaluate, Gate gate, Demo demo,
                          DriftSettings drift, Config config) {
  public static final String ROOT = "driftlake";
  /** Subtrees whose keys are free-form (maps by method id). */
  private static final Set<String> FREE_FORM = Set.of("driftlake.drift.thresholds",
      "driftlake.drift.type-thresholds", "driftlake.drift.features",
      "driftlake.drift.checks.features", "driftlake.train.params", "driftlake.train.search.grid",
      "driftlake.drift.min-effect");

  public record Tables(String training, String production, String models, String modelAliases,
                       String evaluations, String driftResults, String predictions, String labels,
                       String driftChecks, String profiles, String rejected,
                       String thresholds) {
    public Tables {
      for (String name : List.of(training, production, models, modelAliases, evaluations,
          driftResults, predictions, labels, driftChecks, profiles, rejected, thresholds)) {
        TableRef.checkName(name, "driftlake.tables.* name");
      }
    }
  }

  public record Schema(String key, String label, List<String> predictions,
                       List<String> exclude) {
    /** Columns that are never features. */
    public Set<String> nonFeatures() {
      var all = new java.util.HashSet<>(exclude);
      all.add(key);
      all.add(label);
      all.addAll(predictions);
      return Set.copyOf(all);
    }
  }

  /** Evaluation: categorical columns to slice metrics by, and a cap on their distinct values. */
  public record Evaluate(List<String> sliceBy, int maxSlices) {}

  /** The promotion gate: a challenger must beat the champion on {@code metric} by more than margin. */
  public record Gate(ModelMetric metric, double margin) {}

  public record Demo(long rows, List<Double> drift, long seed, double calibrateRate) {}

  public JobSettings withLakeRoot(Path root) {
    return new JobSettings(Location.of(root), tables, appName, schema, train, evaluate, gate, demo, drift, config);
  }

  /**
   * These settings with {@code driftlake.demo.overrides} laid over {@code driftlake}: the demo's
   * own lake turns on what is off by default for its cost (slices, multivariate drift).
   */
  public JobSettings forDemo() {
    return from(config.getConfig("driftlake.demo.overrides").atPath(ROOT)
        .withFallback(config).resolve());
  }

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
    TrainSettings train = TrainSettings.from(c);
    return new JobSettings(
        Location.parse(c.getString("driftlake.lake-root"), "driftlake.lake-root"),
        new Tables(c.getString("driftlake.tables.training"),
            c.getString("driftlake.tables.production"), c.getString("driftlake.tables.models"),
            c.getString("driftlake.tables.model-aliases"),
            c.getString("driftlake.tables.evaluations"),
            c.getString("driftlake.tables.drift-results"),
            c.getString("driftlake.tables.predictions"), c.getString("driftlake.tables.labels"),
            c.getString("driftlake.tables.drift-checks"),
            c.getString("driftlake.tables.profiles"), c.getString("driftlake.tables.rejected"),
            c.getString("driftlake.tables.thresholds")),
        c.getString("driftlake.spark.app-name"),
        new Schema(c.getString("driftlake.schema.key"), c.getString("driftlake.schema.label"),
            c.getStringList("driftlake.schema.predictions"),
            c.getStringList("driftlake.schema.exclude")),
        train,
        evaluate(c),
        gate(c, train),
        new Demo(c.getLong("driftlake.demo.rows"), c.getDoubleList("driftlake.demo.drift"),
            c.getLong("driftlake.demo.seed"), c.getDouble("driftlake.demo.calibrate-rate")),
        DriftSettings.from(c),
        c);
  }

  private static Evaluate evaluate(Config c) {
    int maxSlices = c.getInt("driftlake.evaluate.max-slices");
    if (maxSlices < 1) {
      throw new IllegalArgumentException("driftlake.evaluate.max-slices must be at least 1: " + maxSlices);
    }
    return new Evaluate(c.getStringList("driftlake.evaluate.slice-by"), maxSlices);
  }

  private static Gate gate(Config c, TrainSettings train) {
    String key = "driftlake.registry.gate.metric";
    ModelMetric metric;
    try {
      metric = ModelMetric.of(c.getString(key));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
    metric.checkFor(train.task(), key);
    double margin = c.getDouble("driftlake.registry.gate.margin");
    if (!(margin >= 0)) {
      throw new IllegalArgumentException("driftlake.registry.gate.margin must be >= 0: " + margin);
    }
    return new Gate(metric, margin);
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
