package io.driftlake.drift.quality;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Limits of the data-quality checks, read once from {@code driftlake.drift.checks}; defaults live
 * in reference.conf. A check fails when its value exceeds its limit. A limit comes from
 * {@code checks.features.<column>.<key>} when set there, else from {@code checks.<key>}.
 * {@code rules} are checks that need arguments (which category, which bound).
 */
public record CheckSettings(Map<Check, Double> limits, Map<String, Map<Check, Double>> features,
                            boolean schema, List<Rule> rules) {
  public static final String PATH = "driftlake.drift.checks";
  /** Config key of each per-feature limit, in the order results are reported. */
  public static final Map<String, Check> LIMIT_KEYS = limitKeys();
  private static final Set<String> RULE_KEYS =
      new TreeSet<>(List.of("check", "feature", "category", "min", "max"));
  private static final List<Check> RULE_CHECKS = List.of(Check.CATEGORY_SHARE);

  /**
   * A check with arguments: {@code category_share} of {@code category} in {@code feature}, failing
   * when the share is above {@code max} or below {@code min} (exactly one is set). {@code key} is
   * its config path, for messages.
   */
  public record Rule(Check check, String feature, String category, Double min, Double max,
                     String key) {
    public Rule {
      Objects.requireNonNull(check, "check");
      Objects.requireNonNull(feature, "feature");
      if ((min == null) == (max == null)) {
        throw new IllegalArgumentException(String.format(
            "%s: set exactly one of min or max (min %s, max %s)", key, min, max));
      }
      double bound = min != null ? min : max;
      if (!(bound >= 0 && bound <= 1)) {
        throw new IllegalArgumentException(String.format(
            "%s.%s must be a share in [0, 1]: %s", key, min != null ? "min" : "max", bound));
      }
    }

    /** The bound the value is held against. */
    public double bound() {
      return min != null ? min : max;
    }

    /** True when {@code value} breaks the bound. */
    public boolean breaks(double value) {
      return min != null ? value < min : value > max;
    }
  }

  public CheckSettings {
    limits = Map.copyOf(limits);
    Map<String, Map<Check, Double>> copy = new TreeMap<>();
    features.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    features = Map.copyOf(copy);
    rules = List.copyOf(rules);
    for (Map.Entry<String, Check> e : LIMIT_KEYS.entrySet()) {
      if (!limits.containsKey(e.getValue())) {
        throw new IllegalArgumentException("Missing limit " + PATH + "." + e.getKey());
      }
      checkLimit(limits.get(e.getValue()), e.getValue(), PATH + "." + e.getKey());
    }
    features.forEach((feature, overrides) -> overrides.forEach((check, value) ->
        checkLimit(value, check, featureKey(feature, limitKey(check)))));
  }

  /** The limit of {@code check} for {@code feature}: its override, else the global one. */
  public double limit(String feature, Check check) {
    Double value = features.getOrDefault(feature, Map.of()).get(check);
    return value != null ? value : limits.get(check);
  }

  /** Reads {@code driftlake.drift.checks}; unknown keys and check names are errors naming the key. */
  public static CheckSettings from(Config config) {
    Set<String> known = new TreeSet<>(LIMIT_KEYS.keySet());
    known.addAll(List.of("schema", "rules", "features"));
    unknownKeys(config.getObject(PATH).keySet(), known, PATH);
    Map<Check, Double> limits = new EnumMap<>(Check.class);
    LIMIT_KEYS.forEach((key, check) -> limits.put(check, config.getDouble(PATH + "." + key)));
    Map<String, Map<Check, Double>> features = new TreeMap<>();
    for (String feature : config.getObject(PATH + ".features").keySet()) {
      String base = featureKey(feature, null);
      unknownKeys(config.getObject(base).keySet(), LIMIT_KEYS.keySet(), base);
      Map<Check, Double> overrides = new EnumMap<>(Check.class);
      for (String key : config.getObject(base).keySet()) {
        overrides.put(LIMIT_KEYS.get(key), config.getDouble(base + "." + key));
      }
      features.put(feature, overrides);
    }
    List<Rule> rules = new ArrayList<>();
    List<? extends Config> ruleConfigs = config.getConfigList(PATH + ".rules");
    for (int i = 0; i < ruleConfigs.size(); i++) {
      rules.add(rule(ruleConfigs.get(i), PATH + ".rules[" + i + "]"));
    }
    return new CheckSettings(limits, features, config.getBoolean(PATH + ".schema"), rules);
  }

  private static Rule rule(Config rule, String key) {
    unknownKeys(rule.root().keySet(), RULE_KEYS, key);
    for (String required : List.of("check", "feature", "category")) {
      if (!rule.hasPath(required)) {
        throw new IllegalArgumentException(key + ": missing key '" + required + "'");
      }
    }
    String id = rule.getString("check");
    Check check = RULE_CHECKS.stream().filter(c -> c.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(String.format(
            "%s.check: unknown rule check '%s'; known rule checks: %s", key, id,
            RULE_CHECKS.stream().map(Check::id).toList())));
    return new Rule(check, rule.getString("feature"), rule.getString("category"),
        rule.hasPath("min") ? rule.getDouble("min") : null,
        rule.hasPath("max") ? rule.getDouble("max") : null, key);
  }

  private static void checkLimit(double value, Check check, String key) {
    boolean count = check == Check.NEW_CATEGORIES || check == Check.VANISHED_CATEGORIES;
    if (count ? !(value >= 0 && value == Math.rint(value)) : !(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(String.format("%s must be %s: %s", key,
          count ? "a whole number >= 0" : "a share in [0, 1]", value));
    }
  }

  private static void unknownKeys(Set<String> keys, Set<String> known, String base) {
    for (String k : keys) {
      if (!known.contains(k)) {
        throw new IllegalArgumentException(String.format("Unknown config key '%s'; known keys: %s",
            base + "." + ConfigUtil.joinPath(k), new TreeSet<>(known)));
      }
    }
  }

  /** The config key of a per-feature limit check, e.g. out-of-range-share. */
  public static String limitKey(Check check) {
    return LIMIT_KEYS.entrySet().stream().filter(e -> e.getValue() == check).findFirst()
        .orElseThrow().getKey();
  }

  /** Config path of a per-feature limit (the feature name quoted when it needs it). */
  public static String featureKey(String feature, String leaf) {
    String base = PATH + ".features." + ConfigUtil.joinPath(feature);
    return leaf == null ? base : base + "." + leaf;
  }

  private static Map<String, Check> limitKeys() {
    Map<String, Check> keys = new LinkedHashMap<>();
    keys.put("null-share-change", Check.NULL_SHARE_CHANGE);
    keys.put("out-of-range-share", Check.OUT_OF_RANGE_SHARE);
    keys.put("new-categories", Check.NEW_CATEGORIES);
    keys.put("vanished-categories", Check.VANISHED_CATEGORIES);
    return java.util.Collections.unmodifiableMap(keys);
  }
}
