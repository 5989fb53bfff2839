package io.driftlake.drift.api;

import java.util.Objects;

/**
 * One data-quality or rule check on one column. {@code value} is what was measured (a share, a
 * signed share change or a count); it is null when the check has no numeric measure (schema
 * checks) or could not be computed, and {@code detail} then says why. {@code threshold} is the
 * limit the value was held against (null for schema checks). Never NaN or infinite.
 */
public record CheckResult(String check, String feature, Double value, Double threshold,
                          boolean failed, String detail) {
  public CheckResult {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(feature, "feature");
    Objects.requireNonNull(detail, "detail");
    if (value != null && !Double.isFinite(value)) {
      throw new IllegalArgumentException(String.format(
          "Check %s on '%s': value must be finite or null: %s", check, feature, value));
    }
    if (threshold != null && !Double.isFinite(threshold)) {
      throw new IllegalArgumentException(String.format(
          "Check %s on '%s': threshold must be finite or null: %s", check, feature, threshold));
    }
  }

  /**
   * A check with a limit but no value could not be computed ({@code detail} says why): it is
   * neither failed nor passed, and reports say "not computable".
   */
  public boolean notComputable() {
    return !failed && value == null && threshold != null;
  }
}
