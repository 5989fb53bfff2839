package io.driftlake.drift.config;

import com.typesafe.config.Config;
import java.util.List;

/**
 * The slices drift is also computed on ({@code driftlake.drift.slices}): each spec is a column
 * name (one slice per value of that column, at most {@code maxValues} values, else the column's
 * slices are skipped with the reason) or a SQL predicate over the table's own columns (one slice
 * of the rows where it is true). The specs are checked against the data's columns by
 * {@code io.driftlake.drift.spark.SliceSpecs}, not here (this room has no Spark).
 *
 * @param specs the slice specs as written, in order; empty for no slices
 * @param maxValues the most values a column spec may have over both sides
 *     ({@code driftlake.drift.slice-max-values})
 */
public record SliceSettings(List<String> specs, int maxValues) {
  public static final String KEY = DriftSettings.PATH + ".slices";
  public static final String MAX_VALUES_KEY = DriftSettings.PATH + ".slice-max-values";
  /** Why mode {@code profiles} skips the slices. */
  public static final String SKIPPED_IN_PROFILES_MODE = "statistics-mode profiles reads no data "
      + "row, and slice profiles are not stored: slices need a scan (run in exact or "
      + "approximate mode)";

  public SliceSettings {
    specs = List.copyOf(specs);
    if (maxValues < 1) {
      throw new IllegalArgumentException(String.format("%s must be at least 1: %s",
          MAX_VALUES_KEY, maxValues));
    }
    if (specs.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException(String.format("%s: a blank slice spec in %s", KEY,
          specs));
    }
    if (specs.stream().distinct().count() != specs.size()) {
      throw new IllegalArgumentException(String.format("%s: a slice spec is listed twice in %s",
          KEY, specs));
    }
  }

  /** No slices. */
  public static SliceSettings none() {
    return new SliceSettings(List.of(), 20);
  }

  /** Reads {@code driftlake.drift.slices} and {@code driftlake.drift.slice-max-values}. */
  static SliceSettings from(Config config) {
    return new SliceSettings(config.getStringList(KEY).stream().map(String::trim).toList(),
        config.getInt(MAX_VALUES_KEY));
  }

  public boolean isEmpty() {
    return specs.isEmpty();
  }
}
