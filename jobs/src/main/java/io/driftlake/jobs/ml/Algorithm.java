package io.driftlake.jobs.ml;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.apache.spark.ml.Predictor;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.FloatParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.RandomForestRegressor;

/** The MLlib estimators a pipeline can end with, by config id, and the tasks each supports. */
public enum Algorithm {
  LOGISTIC_REGRESSION("logistic-regression", EnumSet.of(Task.BINARY, Task.MULTICLASS)),
  LINEAR_REGRESSION("linear-regression", EnumSet.of(Task.REGRESSION)),
  RANDOM_FOREST("random-forest", EnumSet.allOf(Task.class)),
  // MLlib's GBTClassifier is binary only.
  GBT("gbt", EnumSet.of(Task.BINARY, Task.REGRESSION));

  /** Columns driftlake wires itself; setting them in config is an error. */
  public static final Set<String> RESERVED = Set.of("featuresCol", "labelCol", "predictionCol",
      "probabilityCol", "rawPredictionCol", "seed", "weightCol");

  private final String id;
  private final Set<Task> tasks;

  Algorithm(String id, Set<Task> tasks) {
    this.id = id;
    this.tasks = tasks;
  }

  public String id() {
    return id;
  }

  public static Algorithm of(String id) {
    return Arrays.stream(values()).filter(a -> a.id.equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(String.format(
            "Unknown algorithm '%s'; known algorithms: %s", id,
            Arrays.stream(values()).map(Algorithm::id).toList())));
  }

  public Algorithm checkFor(Task task) {
    if (!tasks.contains(task)) {
      throw new IllegalArgumentException(String.format(
          "driftlake.train.algorithm: '%s' does not support task '%s'; it supports %s", id,
          task.id(), tasks.stream().map(Task::id).toList()));
    }
    return this;
  }

  /** A fresh, unconfigured estimator for the task, reading {@code features} and {@code label}. */
  public Predictor<?, ?, ?> estimator(Task task, String features, String label, long seed) {
    checkFor(task);
    Predictor<?, ?, ?> p = switch (this) {
      case LOGISTIC_REGRESSION -> new LogisticRegression()
          .setFamily(task == Task.BINARY ? "binomial" : "multinomial");
      case LINEAR_REGRESSION -> new LinearRegression();
      case RANDOM_FOREST -> task.classification()
          ? new RandomForestClassifier().setSeed(seed) : new RandomForestRegressor().setSeed(seed);
      case GBT -> task.classification()
          ? new GBTClassifier().setSeed(seed) : new GBTRegressor().setSeed(seed);
    };
    p.set(p.featuresCol(), features);
    p.set(p.labelCol(), label);
    return p;
  }

  /**
   * The estimator's parameter {@code name}, with {@code value} converted to its type; an unknown
   * name, a reserved one or a value of the wrong type is an error naming {@code key}.
   */
  public static Object convert(Predictor<?, ?, ?> estimator, String key, String name, Object value) {
    if (RESERVED.contains(name)) {
      throw new IllegalArgumentException(String.format(
          "%s: parameter '%s' is set by driftlake, not by config", key, name));
    }
    if (!estimator.hasParam(name)) {
      throw new IllegalArgumentException(String.format(
          "%s: %s has no parameter '%s'; its parameters: %s", key,
          estimator.getClass().getSimpleName(), name,
          Arrays.stream(estimator.params()).map(Param::name)
              .filter(n -> !RESERVED.contains(n)).sorted().toList()));
    }
    Param<Object> param = estimator.getParam(name);
    try {
      Object converted;
      if (param instanceof IntParam) {
        converted = asNumber(value).intValue();
        if (((Number) value).doubleValue() != (Integer) converted) {
          throw new IllegalArgumentException("not an integer");
        }
      } else if (param instanceof LongParam) {
        converted = asNumber(value).longValue();
      } else if (param instanceof DoubleParam) {
        converted = asNumber(value).doubleValue();
      } else if (param instanceof FloatParam) {
        converted = asNumber(value).floatValue();
      } else if (param instanceof BooleanParam) {
        if (!(value instanceof Boolean)) {
          throw new IllegalArgumentException("not a boolean");
        }
        converted = value;
      } else {
        converted = String.valueOf(value);
      }
      // ParamPair's constructor runs the parameter's own validator (ranges, allowed values).
      param.w(converted);
      return converted;
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException(String.format("%s: bad value %s for parameter '%s' of %s: %s",
          key, value, name, estimator.getClass().getSimpleName(), e.getMessage()), e);
    }
  }

  private static Number asNumber(Object value) {
    if (!(value instanceof Number n)) {
      throw new IllegalArgumentException("not a number");
    }
    return n;
  }
}
