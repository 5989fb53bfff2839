package io.driftlake.drift.config;

import com.typesafe.config.Config;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.method.DriftMethod;
import io.driftlake.drift.method.DriftMethods;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The drift settings, read once and eagerly from {@code driftlake.drift}. Defaults live in
 * reference.conf (and on the method declarations for thresholds), never here.
 */
public record DriftSettings(int bins, double psiEpsilon, Map<FeatureType, List<DriftMethod>> methods,
                            Map<FeatureType, DriftMethod> decideBy,
                            Map<String, Double> thresholdOverrides, double datasetDriftShare) {
  public static final String PATH = "driftlake.drift";

  public DriftSettings {
    methods = Map.copyOf(methods);
    decideBy = Map.copyOf(decideBy);
    thresholdOverrides = Map.copyOf(thresholdOverrides);
    if (bins < 2) {
      throw new IllegalArgumentException(PATH + ".bins must be at least 2: " + bins);
    }
    if (!(psiEpsilon > 0 && psiEpsilon < 1)) {
      throw new IllegalArgumentException(PATH + ".psi-epsilon must be in (0, 1): " + psiEpsilon);
    }
    if (!(datasetDriftShare > 0 && datasetDriftShare <= 1)) {
      throw new IllegalArgumentException(
          PATH + ".dataset-drift-share must be in (0, 1]: " + datasetDriftShare);
    }
    for (FeatureType type : FeatureType.values()) {
      for (DriftMethod method : methods.getOrDefault(type, List.of())) {
        checkApplies(method, type, PATH + ".methods." + type.id());
      }
      DriftMethod decider = decideBy.get(type);
      if (decider == null || !methods.getOrDefault(type, List.of()).contains(decider)) {
        throw new IllegalArgumentException(String.format(
            "%s.decide-by.%s (%s) must be one of %s.methods.%s %s", PATH, type.id(),
            decider == null ? null : decider.id(), PATH, type.id(),
            methods.getOrDefault(type, List.of()).stream().map(DriftMethod::id).toList()));
      }
    }
    thresholdOverrides.keySet().forEach(DriftMethods::byId);
  }

  /** Reads with full key paths, so a wrong value's error names e.g. driftlake.drift.bins. */
  public static DriftSettings from(Config config) {
    Map<FeatureType, List<DriftMethod>> methods = new EnumMap<>(FeatureType.class);
    Map<FeatureType, DriftMethod> decideBy = new EnumMap<>(FeatureType.class);
    for (FeatureType type : FeatureType.values()) {
      methods.put(type, config.getStringList(key("methods." + type.id())).stream()
          .map(DriftMethods::byId).toList());
      decideBy.put(type, DriftMethods.byId(config.getString(key("decide-by." + type.id()))));
    }
    Map<String, Double> thresholds = new TreeMap<>();
    for (String id : config.getObject(key("thresholds")).keySet()) {
      DriftMethods.byId(id);
      thresholds.put(id, config.getDouble(key("thresholds." + id)));
    }
    return new DriftSettings(config.getInt(key("bins")), config.getDouble(key("psi-epsilon")),
        methods, decideBy, thresholds, config.getDouble(key("dataset-drift-share")));
  }

  private static String key(String relative) {
    return PATH + "." + relative;
  }

  public double threshold(DriftMethod method) {
    return thresholdOverrides.getOrDefault(method.id(), method.defaultThreshold());
  }

  public boolean needsKs() {
    return methods.getOrDefault(FeatureType.NUMERIC, List.of()).contains(DriftMethods.KS);
  }

  private static void checkApplies(DriftMethod method, FeatureType type, String key) {
    if (!method.appliesTo(type)) {
      throw new IllegalArgumentException(String.format(
          "%s: method '%s' does not apply to %s features (it applies to %s)", key, method.id(),
          type.id(), method.appliesTo().stream().map(FeatureType::id).sorted().toList()));
    }
  }
}
