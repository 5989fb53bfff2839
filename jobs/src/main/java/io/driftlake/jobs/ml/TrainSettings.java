package io.driftlake.jobs.ml;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.Predictor;

/**
 * {@code driftlake.train}, read and checked eagerly: the task and algorithm must fit, every
 * parameter and grid entry must be a parameter of the algorithm's MLlib estimator with a value of
 * its type, and the search metric must apply to the task.
 */
public record TrainSettings(double testFraction, Task task, Algorithm algorithm,
                            List<String> features, long seed, Map<String, Object> params,
                            Search search) {
  public static final String PATH = "driftlake.train";

  /** Hyper-parameter search: none, k-fold cross-validation or one train/validation split. */
  public record Search(String method, int folds, double trainRatio, int parallelism,
                       ModelMetric metric, Map<String, List<Object>> grid) {
    public static final List<String> METHODS =
        List.of("none", "cross-validation", "train-validation-split");

    public Search {
      grid = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(grid));
    }

    public boolean enabled() {
      return !method.equals("none");
    }

    /** What the registry records about the search. */
    public Map<String, String> describe() {
      Map<String, String> d = new LinkedHashMap<>();
      d.put("method", method);
      if (enabled()) {
        if (method.equals("cross-validation")) {
          d.put("folds", Integer.toString(folds));
        } else {
          d.put("train-ratio", Double.toString(trainRatio));
        }
        d.put("metric", metric.id());
        d.put("parallelism", Integer.toString(parallelism));
        grid.forEach((k, v) -> d.put("grid." + k, v.toString()));
      }
      return d;
    }
  }

  public TrainSettings {
    features = List.copyOf(features);
    params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  public static TrainSettings from(Config c) {
    double testFraction = c.getDouble(PATH + ".test-fraction");
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new IllegalArgumentException(PATH + ".test-fraction must be in (0, 1): " + testFraction);
    }
    Task task = wrap(PATH + ".task", () -> Task.of(c.getString(PATH + ".task")));
    Algorithm algorithm = wrap(PATH + ".algorithm",
        () -> Algorithm.of(c.getString(PATH + ".algorithm"))).checkFor(task);
    long seed = c.getLong(PATH + ".seed");
    Predictor<?, ?, ?> probe = algorithm.estimator(task, "f", "l", seed);

    String paramsPath = PATH + ".params." + algorithm.id();
    Map<String, Object> params = new TreeMap<>();
    if (c.hasPath(paramsPath)) {
      for (Map.Entry<String, ConfigValue> e : c.getConfig(paramsPath).root().entrySet()) {
        params.put(e.getKey(), Algorithm.convert(probe, paramsPath + "." + e.getKey(), e.getKey(),
            e.getValue().unwrapped()));
      }
    }
    for (String other : c.getConfig(PATH + ".params").root().keySet()) {
      wrap(PATH + ".params." + other, () -> Algorithm.of(other));
    }

    String s = PATH + ".search";
    String method = c.getString(s + ".method");
    if (!Search.METHODS.contains(method)) {
      throw new IllegalArgumentException(String.format("%s.method: unknown search method '%s'; "
          + "known methods: %s", s, method, Search.METHODS));
    }
    int folds = c.getInt(s + ".folds");
    if (folds < 2) {
      throw new IllegalArgumentException(s + ".folds must be at least 2: " + folds);
    }
    double trainRatio = c.getDouble(s + ".train-ratio");
    if (!(trainRatio > 0 && trainRatio < 1)) {
      throw new IllegalArgumentException(s + ".train-ratio must be in (0, 1): " + trainRatio);
    }
    int parallelism = c.getInt(s + ".parallelism");
    if (parallelism < 1) {
      throw new IllegalArgumentException(s + ".parallelism must be at least 1: " + parallelism);
    }
    ModelMetric metric = wrap(s + ".metric", () -> ModelMetric.of(c.getString(s + ".metric")));
    if (!method.equals("none")) {
      metric.checkFor(task, s + ".metric");
    }
    Map<String, List<Object>> grid = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : c.getConfig(s + ".grid").root().entrySet()) {
      String key = s + ".grid." + e.getKey();
      if (e.getValue().valueType() != ConfigValueType.LIST) {
        throw new IllegalArgumentException(key + " must be a list of values");
      }
      List<Object> values = new ArrayList<>();
      for (Object v : (List<?>) e.getValue().unwrapped()) {
        values.add(Algorithm.convert(probe, key, e.getKey(), v));
      }
      if (values.isEmpty()) {
        throw new IllegalArgumentException(key + " must not be empty");
      }
      grid.put(e.getKey(), values);
    }
    if (method.equals("none") && !grid.isEmpty()) {
      throw new IllegalArgumentException(String.format(
          "%s.grid is set (%s) but %s.method is 'none'", s, grid.keySet(), s));
    }
    return new TrainSettings(testFraction, task, algorithm, c.getStringList(PATH + ".features"),
        seed, params, new Search(method, folds, trainRatio, parallelism, metric, grid));
  }

  private static <T> T wrap(String key, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }
}
