package io.driftlake.drift.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The default configuration with {@code driftlake.drift.min-rows = 1}: tests of the methods'
 * math compare a few hand-checkable rows, which the default minimum (100) would call not
 * computable. An empty side still is.
 */
public final class TinySides {
  private TinySides() {}

  public static Config reference() {
    return ConfigFactory.parseString("driftlake.drift.min-rows = 1")
        .withFallback(ConfigFactory.defaultReference());
  }
}
