package io.driftlake.drift.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.method.DriftMethod;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.method.ScoreKind;
import io.driftlake.drift.profile.BinClosed;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.quality.CheckSettings;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The drift settings, read once and eagerly from {@code driftlake.drift}. Defaults live in
 * reference.conf, never here, except the methods' default thresholds, which live only in their
 * declarations ({@link DriftMethods}); {@code default-thresholds.<method>}, when a config sets
 * it, overrides one (and still counts as the "default" level).
 *
 * <p>What a feature gets is resolved by a cascade, most specific first: methods and the deciding
 * method from {@code features.<name>} then {@code methods.<type>} / {@code decide-by.<type>};
 * a threshold from {@code features.<name>.thresholds.<method>}, then
 * {@code type-thresholds.<type>.<method>}, then {@code thresholds.<method>}, then
 * the method's declared default (or {@code default-thresholds.<method>}, which overrides it).
 * {@link #policy} returns the result with where each threshold came from. Thresholds learned
 * from history ({@link Calibrated}, set by {@link #withCalibrated}) sit right below the feature
 * level ({@code calibrated}). A p-value method
 * with an effect size (ks: D, chi2: Cramér's V) also needs the effect to reach
 * {@code min-effect.<method>} (else its declared minimum) for a drifted verdict.
 * The data-quality check limits under {@code checks} are read by {@link CheckSettings}.
 */
public record DriftSettings(int bins, double psiEpsilon, Map<FeatureType, List<DriftMethod>> methods,
                            Map<FeatureType, DriftMethod> decideBy,
                            Map<String, Double> thresholdOverrides,
                            Map<FeatureType, Map<String, Double>> typeThresholds,
                            Map<String, FeatureOverride> features, double datasetDriftShare,
                            CheckSettings checks, StatisticsMode statisticsMode,
                            ProfileOptions profile, Map<String, Double> defaultThresholds,
                            IdLike idLike, long minRows,
                            BinClosed binClosed, Map<String, Double> minEffects,
                            Calibrated calibrated, SliceSettings slices) {
  public static final String PATH = "driftlake.drift";
  private static final Set<String> FEATURE_KEYS =
      new TreeSet<>(List.of("methods", "decide-by", "thresholds", "critical", "score-id-like"));

  /**
   * How KS and Wasserstein are computed: {@code EXACT} refines the histogram bounds with
   * filtered passes over the data (usually two); {@code APPROXIMATE} uses the profiles alone (no data access) and
   * records the error bound on each result, reading the columns of only the features whose
   * error interval straddles the threshold (undecided) to settle them exactly; {@code PROFILES}
   * uses the profiles alone and never reads a data row to compare: an undecided verdict stays
   * unknown, its interval recorded.
   */
  public enum StatisticsMode {
    EXACT, APPROXIMATE, PROFILES;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static StatisticsMode of(String id, String key) {
      for (StatisticsMode mode : values()) {
        if (mode.id().equals(id)) {
          return mode;
        }
      }
      throw new IllegalArgumentException(String.format("%s: unknown mode '%s'; known modes: %s",
          key, id, java.util.Arrays.stream(values()).map(StatisticsMode::id).toList()));
    }
  }

  /**
   * When a categorical column looks like an identifier and is skipped from scoring: its distinct
   * count (the profiles' estimate) is at least {@code share} of its non-null values on both
   * sides, each with at least {@code minRows} non-null values ({@code id-like-share},
   * {@code id-like-min-rows}; {@code features.<name>.score-id-like = true} scores it anyway).
   */
  public record IdLike(double share, long minRows) {
    public IdLike {
      if (!(share > 0 && share <= 1)) {
        throw new IllegalArgumentException(PATH + ".id-like-share must be in (0, 1]: " + share);
      }
      if (minRows < 1) {
        throw new IllegalArgumentException(PATH + ".id-like-min-rows must be at least 1: "
            + minRows);
      }
    }
  }

  /**
   * Per-feature settings; empty values fall through to the type's. {@code scoreIdLike} scores
   * the column even when it looks like an identifier.
   */
  public record FeatureOverride(Optional<List<DriftMethod>> methods, Optional<DriftMethod> decideBy,
                                Map<String, Double> thresholds, boolean critical,
                                boolean scoreIdLike) {
    public FeatureOverride {
      methods = methods.map(List::copyOf);
      thresholds = Map.copyOf(thresholds);
    }

    public static FeatureOverride none() {
      return new FeatureOverride(Optional.empty(), Optional.empty(), Map.of(), false, false);
    }
  }

  /**
   * A threshold and the level of the cascade it came from: feature, calibrated, type, global or
   * default.
   */
  public record Threshold(double value, String source) {}

  /** What one feature is compared with, fully resolved. */
  public record FeaturePolicy(List<DriftMethod> methods, DriftMethod decideBy,
                              Map<String, Threshold> thresholds, boolean critical) {
    public FeaturePolicy {
      methods = List.copyOf(methods);
      thresholds = Map.copyOf(thresholds);
    }

    public Threshold threshold(DriftMethod method) {
      return thresholds.get(method.id());
    }

    public boolean uses(DriftMethod method) {
      return methods.contains(method);
    }
  }

  public DriftSettings {
    methods = Map.copyOf(methods);
    decideBy = Map.copyOf(decideBy);
    thresholdOverrides = Map.copyOf(thresholdOverrides);
    typeThresholds = Map.copyOf(typeThresholds);
    defaultThresholds.keySet().forEach(DriftMethods::byId);
    Map<String, Double> defaults = new LinkedHashMap<>();
    DriftMethods.all().forEach(m -> defaults.put(m.id(), m.defaultThreshold()));
    defaults.putAll(defaultThresholds);
    defaultThresholds = Map.copyOf(defaults);
    features = Map.copyOf(features);
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
    if (minRows < 1) {
      throw new IllegalArgumentException(PATH + ".min-rows must be at least 1: " + minRows);
    }
    for (FeatureType type : FeatureType.values()) {
      List<DriftMethod> typeMethods = methods.getOrDefault(type, List.of());
      checkMethods(typeMethods, decideBy.get(type), type, key("methods." + type.id()),
          key("decide-by." + type.id()));
      typeThresholds.getOrDefault(type, Map.of()).keySet().forEach(id ->
          checkApplies(DriftMethods.byId(id), type, key("type-thresholds." + type.id())));
    }
    thresholdOverrides.keySet().forEach(DriftMethods::byId);
    minEffects = MinEffects.resolved(minEffects);
    calibrated = calibrated == null ? Calibrated.none() : calibrated;
  }

  /** The same settings with thresholds learned from history (the cascade's calibrated level). */
  public DriftSettings withCalibrated(Calibrated learned) {
    return new DriftSettings(bins, psiEpsilon, methods, decideBy, thresholdOverrides,
        typeThresholds, features, datasetDriftShare, checks, statisticsMode, profile,
        defaultThresholds, idLike, minRows, binClosed, minEffects, learned, slices);
  }

  /**
   * The effect-size floor of a p-value method: {@code min-effect.<method>}, else its declared
   * minimum ({@link DriftMethod.Effect#defaultMinimum}); null for a method without an effect.
   */
  public Double minEffect(DriftMethod method) {
    return minEffects.get(method.id());
  }

  /** Reads with full key paths, so a wrong value's error names e.g. driftlake.drift.bins. */
  public static DriftSettings from(Config config) {
    Map<FeatureType, List<DriftMethod>> methods = new EnumMap<>(FeatureType.class);
    Map<FeatureType, DriftMethod> decideBy = new EnumMap<>(FeatureType.class);
    Map<FeatureType, Map<String, Double>> typeThresholds = new EnumMap<>(FeatureType.class);
    for (FeatureType type : FeatureType.values()) {
      methods.put(type, methodList(config, key("methods." + type.id())));
      decideBy.put(type, method(config, key("decide-by." + type.id())));
      String typeKey = key("type-thresholds." + type.id());
      typeThresholds.put(type, config.hasPath(typeKey) ? thresholds(config, typeKey) : Map.of());
    }
    if (config.hasPath(key("type-thresholds"))) {
      Set<String> types = new TreeSet<>();
      for (FeatureType type : FeatureType.values()) {
        types.add(type.id());
      }
      for (String type : config.getObject(key("type-thresholds")).keySet()) {
        if (!types.contains(type)) {
          throw new IllegalArgumentException(String.format("Unknown config key '%s'; known keys: %s",
              key("type-thresholds." + ConfigUtil.joinPath(type)), types));
        }
      }
    }
    Map<String, FeatureOverride> features = new TreeMap<>();
    if (config.hasPath(key("features"))) {
      for (String name : config.getObject(key("features")).keySet()) {
        features.put(name, featureOverride(config, name));
      }
    }
    return new DriftSettings(config.getInt(key("bins")), config.getDouble(key("psi-epsilon")),
        methods, decideBy, thresholds(config, key("thresholds")), typeThresholds, features,
        config.getDouble(key("dataset-drift-share")), CheckSettings.from(config),
        StatisticsMode.of(config.getString(key("statistics-mode")), key("statistics-mode")),
        profileOptions(config), config.hasPath(key("default-thresholds"))
            ? thresholds(config, key("default-thresholds")) : Map.of(),
        new IdLike(config.getDouble(key("id-like-share")), config.getLong(key("id-like-min-rows"))),
        config.getLong(key("min-rows")),
        BinClosed.of(config.getString(key("bin-closed")), key("bin-closed")),
        MinEffects.read(config), Calibrated.none(),
        SliceSettings.from(config));
  }

  /** The same settings with another statistics mode (a job's {@code --mode} override). */
  public DriftSettings withStatisticsMode(StatisticsMode mode) {
    return new DriftSettings(bins, psiEpsilon, methods, decideBy, thresholdOverrides,
        typeThresholds, features, datasetDriftShare, checks, mode, profile, defaultThresholds,
        idLike, minRows, binClosed, minEffects, calibrated, slices);
  }

  /**
   * These settings with the per-feature overrides of only the named columns: a deployment's
   * configuration serves drift runs over several tables (features, predictions, labels), and an
   * override of a column that a run does not compare does not apply to it.
   */
  public DriftSettings onlyFeatures(java.util.Collection<String> compared) {
    Map<String, FeatureOverride> kept = new LinkedHashMap<>(features);
    kept.keySet().retainAll(Set.copyOf(compared));
    return new DriftSettings(bins, psiEpsilon, methods, decideBy, thresholdOverrides,
        typeThresholds, kept, datasetDriftShare, checks, statisticsMode, profile,
        defaultThresholds, idLike, minRows, binClosed, minEffects, calibrated, slices);
  }

  private static ProfileOptions profileOptions(Config config) {
    try {
      String path = ProfileOptions.PATH;
      return new ProfileOptions(config.getInt(path + ".max-categories"),
          config.getBoolean(path + ".kll"), config.getInt(path + ".kll-k"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ProfileOptions.PATH + ": " + e.getMessage(), e);
    }
  }

  /**
   * The methods, deciding method, thresholds and criticality of one feature. Fails, naming the
   * key, when a per-feature setting does not fit the feature's type.
   */
  public FeaturePolicy policy(String feature, FeatureType type) {
    FeatureOverride override = features.getOrDefault(feature, FeatureOverride.none());
    List<DriftMethod> featureMethods = override.methods().orElse(methods.get(type));
    DriftMethod decider = override.decideBy().orElse(decideBy.get(type));
    if (override.methods().isPresent() || override.decideBy().isPresent()) {
      checkMethods(featureMethods, decider, type, featureKey(feature, "methods"),
          featureKey(feature, "decide-by"));
    }
    Map<String, Threshold> resolved = new LinkedHashMap<>();
    for (DriftMethod method : featureMethods) {
      resolved.put(method.id(), threshold(feature, type, method));
    }
    override.thresholds().keySet().forEach(id ->
        checkApplies(DriftMethods.byId(id), type, featureKey(feature, "thresholds")));
    return new FeaturePolicy(featureMethods, decider, resolved, override.critical());
  }

  private Threshold threshold(String feature, FeatureType type, DriftMethod method) {
    Double value = features.getOrDefault(feature, FeatureOverride.none()).thresholds().get(method.id());
    if (value != null) {
      return new Threshold(value, "feature");
    }
    value = calibrated.threshold(feature, method.id());
    if (value != null) {
      return new Threshold(value, "calibrated");
    }
    value = typeThresholds.getOrDefault(type, Map.of()).get(method.id());
    if (value != null) {
      return new Threshold(value, "type");
    }
    value = thresholdOverrides.get(method.id());
    if (value != null) {
      return new Threshold(value, "global");
    }
    return new Threshold(defaultThresholds.get(method.id()), "default");
  }

  /** Whether {@code features.<name>.score-id-like} asks to score the column even if id-like. */
  public boolean scoresIdLike(String feature) {
    return features.getOrDefault(feature, FeatureOverride.none()).scoreIdLike();
  }

  /** The global threshold of a method ({@code thresholds}, else {@code default-thresholds}). */
  public double threshold(DriftMethod method) {
    return thresholdOverrides.getOrDefault(method.id(), defaultThresholds.get(method.id()));
  }

  private static FeatureOverride featureOverride(Config config, String feature) {
    ConfigObject object = config.getObject(featureKey(feature, null));
    for (String k : object.keySet()) {
      if (!FEATURE_KEYS.contains(k)) {
        throw new IllegalArgumentException(String.format("Unknown config key '%s'; known keys: %s",
            featureKey(feature, k), FEATURE_KEYS));
      }
    }
    String methodsKey = featureKey(feature, "methods");
    String decideKey = featureKey(feature, "decide-by");
    String thresholdsKey = featureKey(feature, "thresholds");
    String criticalKey = featureKey(feature, "critical");
    String idLikeKey = featureKey(feature, "score-id-like");
    return new FeatureOverride(
        config.hasPath(methodsKey) ? Optional.of(methodList(config, methodsKey)) : Optional.empty(),
        config.hasPath(decideKey) ? Optional.of(method(config, decideKey)) : Optional.empty(),
        config.hasPath(thresholdsKey) ? thresholds(config, thresholdsKey) : Map.of(),
        config.hasPath(criticalKey) && config.getBoolean(criticalKey),
        config.hasPath(idLikeKey) && config.getBoolean(idLikeKey));
  }

  private static Map<String, Double> thresholds(Config config, String path) {
    Map<String, Double> thresholds = new TreeMap<>();
    for (String id : config.getObject(path).keySet()) {
      String full = path + "." + ConfigUtil.joinPath(id);
      DriftMethod method = known(id, full);
      double value = config.getDouble(full);
      if (method.kind() == ScoreKind.P_VALUE ? !(value > 0 && value <= 1)
          : !(value >= 0 && Double.isFinite(value))) {
        throw new IllegalArgumentException(String.format(
            "%s: %s is a %s, so its threshold must be %s: %s", full, id,
            method.kind() == ScoreKind.P_VALUE ? "p-value" : "distance",
            method.kind() == ScoreKind.P_VALUE ? "in (0, 1]" : "finite and at least 0", value));
      }
      thresholds.put(id, value);
    }
    return thresholds;
  }

  private static List<DriftMethod> methodList(Config config, String path) {
    return config.getStringList(path).stream().map(id -> known(id, path)).toList();
  }

  private static DriftMethod method(Config config, String path) {
    return known(config.getString(path), path);
  }

  private static DriftMethod known(String id, String path) {
    try {
      return DriftMethods.byId(id);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  private static String key(String relative) {
    return PATH + "." + relative;
  }

  private static String featureKey(String feature, String leaf) {
    String base = PATH + ".features." + ConfigUtil.joinPath(feature);
    return leaf == null ? base : base + "." + leaf;
  }

  private static void checkMethods(List<DriftMethod> methods, DriftMethod decider, FeatureType type,
                                   String methodsKey, String decideKey) {
    for (DriftMethod method : methods) {
      checkApplies(method, type, methodsKey);
    }
    if (decider == null || !methods.contains(decider)) {
      throw new IllegalArgumentException(String.format("%s (%s) must be one of %s %s", decideKey,
          decider == null ? null : decider.id(), methodsKey,
          methods.stream().map(DriftMethod::id).toList()));
    }
  }

  private static void checkApplies(DriftMethod method, FeatureType type, String key) {
    if (!method.appliesTo(type)) {
      throw new IllegalArgumentException(String.format(
          "%s: method '%s' does not apply to %s features (it applies to %s)", key, method.id(),
          type.id(), method.appliesTo().stream().map(FeatureType::id).sorted().toList()));
    }
  }
}
