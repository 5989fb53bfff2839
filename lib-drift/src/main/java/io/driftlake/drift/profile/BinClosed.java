package io.driftlake.drift.profile;

import java.util.Locale;

/**
 * Which side of a coarse bin an edge belongs to ({@code driftlake.drift.bin-closed}); the binning
 * itself is {@code compare/NumericBinning}.
 */
public enum BinClosed {
  /** [e_i, e_i+1): a value equal to an edge goes to the upper bin (numpy, Evidently). */
  LEFT,
  /** (e_i, e_i+1]: a value equal to an edge goes to the lower bin (pandas.qcut). */
  RIGHT;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static BinClosed of(String id, String key) {
    for (BinClosed c : values()) {
      if (c.id().equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException(String.format(
        "%s: unknown value '%s'; known values: [left, right]", key, id));
  }

  /** How the convention reads on a result row. */
  public String describe() {
    return this == LEFT
        ? "left: [e_i, e_i+1), a value equal to an edge in the upper bin (numpy searchsorted "
            + "side='right', np.histogram)"
        : "right: (e_i, e_i+1], a value equal to an edge in the lower bin (pandas.qcut)";
  }
}
