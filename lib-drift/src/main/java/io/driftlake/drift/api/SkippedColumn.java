package io.driftlake.drift.api;

import java.util.Objects;

/**
 * A column that was not scored, and why: its type has no drift method ({@code "type binary"}),
 * it looks like an identifier, or its role (key, label, prediction) is not a feature. Every
 * column of either side is either compared or listed as skipped; nothing vanishes.
 */
public record SkippedColumn(String column, String type, String reason) {
  public SkippedColumn {
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(reason, "reason");
  }
}
