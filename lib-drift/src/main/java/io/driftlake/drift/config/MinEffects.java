package io.driftlake.drift.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import io.driftlake.drift.method.DriftMethod;
import io.driftlake.drift.method.DriftMethods;
import java.util.Map;
import java.util.TreeMap;

/**
 * The effect-size floors of the p-value methods: each method's declared minimum
 * ({@link DriftMethod.Effect#defaultMinimum}), replaced by {@code min-effect.<method>} when a
 * config sets it. A floor of 0 turns it off (the p-value alone decides).
 */
final class MinEffects {
  private static final String PATH = DriftSettings.PATH + ".min-effect";

  private MinEffects() {}

  /** The configured floors, by method id, as the config sets them (not yet checked). */
  static Map<String, Double> read(Config config) {
    Map<String, Double> configured = new TreeMap<>();
    if (config.hasPath(PATH)) {
      for (String id : config.getObject(PATH).keySet()) {
        configured.put(id, config.getDouble(PATH + "." + ConfigUtil.joinPath(id)));
      }
    }
    return configured;
  }

  /** Every method with an effect, with its declared floor or the configured one. */
  static Map<String, Double> resolved(Map<String, Double> configured) {
    Map<String, Double> resolved = new TreeMap<>();
    DriftMethods.all().stream().filter(m -> m.effect() != null)
        .forEach(m -> resolved.put(m.id(), m.effect().defaultMinimum()));
    configured.forEach((id, value) -> {
      String full = PATH + "." + ConfigUtil.joinPath(id);
      DriftMethod method;
      try {
        method = DriftMethods.byId(id);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(full + ": " + e.getMessage(), e);
      }
      if (method.effect() == null) {
        throw new IllegalArgumentException(String.format("%s: method '%s' has no effect-size "
            + "floor (methods with one: %s)", full, id, resolved.keySet()));
      }
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException(String.format(
            "%s: the minimum %s must be in [0, 1]: %s", full, method.effect().symbol(), value));
      }
      resolved.put(id, value);
    });
    return Map.copyOf(resolved);
  }
}
