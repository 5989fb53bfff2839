package io.driftlake.jobs.common;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A selection of a lake table: {@code NAME} or {@code NAME@latest} (the latest snapshot),
 * {@code NAME@N} (the snapshot at version N), {@code NAME@TIMESTAMP} (the snapshot current at an
 * ISO-8601 instant, e.g. {@code production@2026-11-23T10:15:00Z}; Delta's timestamp-as-of rule:
 * the last version committed at or before it), a {@code :added} suffix for only the rows that
 * version added (e.g. {@code production@7:added}), and an optional SQL filter on the rows
 * ({@code where}, e.g. a batch id or a time window). Resolving turns a timestamp or "latest" into
 * a version, which is what gets recorded. {@code NAME@batch=ID} is the version whose commit wrote
 * ingest batch {@code ID}, found in the table's log: what a pipeline uses to read back the batch
 * it wrote, whatever else commits meanwhile (e.g. {@code production@batch=2026-11-23:added}).
 */
public record TableRef(String table, OptionalLong version, Optional<Instant> timestamp,
                       boolean addedOnly, Optional<String> where, Optional<String> batch) {
  private static final Pattern FORMAT = Pattern.compile(
      "([A-Za-z0-9_\\-]+)(?:@(latest|\\d+|batch=[A-Za-z0-9_.\\-]+"
          + "|\\d{4}-\\d{2}-\\d{2}[T ][0-9:.]+(?:Z|[+-]\\d{2}:\\d{2})?))?(:added)?");

  /** A table name: an identifier, so that {@code <lake-root>/<name>} stays inside the lake. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_\\-]{0,127}");

  public TableRef {
    checkName(table, "table name");
    where = where.map(String::trim).filter(w -> !w.isEmpty());
  }

  /**
   * {@code name} when it is a table name (letters, digits, {@code _} and {@code -}, not starting
   * with {@code -}, at most 128 characters): never a path, so it cannot leave the lake root.
   */
  public static String checkName(String name, String what) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(String.format(
          "Bad %s '%s': a table name is letters, digits, '_' and '-' (not first), at most 128 "
              + "characters, never a path; tables live in the lake root", what, name));
    }
    return name;
  }

  public TableRef(String table, OptionalLong version, boolean addedOnly) {
    this(table, version, Optional.empty(), addedOnly, Optional.empty(), Optional.empty());
  }

  public static TableRef parse(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(String.format(
          "Bad table selection '%s'; expected NAME[@VERSION|@latest|@TIMESTAMP][:added], e.g. "
              + "production@3:added or production@2026-11-23T10:15:00Z", text));
    }
    String at = m.group(2);
    OptionalLong version = OptionalLong.empty();
    Optional<Instant> timestamp = Optional.empty();
    Optional<String> batch = Optional.empty();
    if (at != null && at.startsWith("batch=")) {
      batch = Optional.of(at.substring("batch=".length()));
    } else if (at != null && !at.equals("latest")) {
      if (at.matches("\\d+")) {
        try {
          version = OptionalLong.of(Long.parseLong(at));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(String.format(
              "Bad version '%s' in table selection '%s': a version is at most %d", at, text,
              Long.MAX_VALUE), e);
        }
      } else {
        timestamp = Optional.of(instant(at, text));
      }
    }
    return new TableRef(m.group(1), version, timestamp, m.group(3) != null, Optional.empty(),
        batch);
  }

  private static Instant instant(String at, String text) {
    String iso = at.replace(' ', 'T');
    try {
      if (iso.endsWith("Z") || iso.matches(".*[+-]\\d{2}:\\d{2}$")) {
        return java.time.OffsetDateTime.parse(iso).toInstant();
      }
      return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(String.format(
          "Bad timestamp '%s' in table selection '%s': %s", at, text, e.getMessage()), e);
    }
  }

  /** The same selection with only the rows matching a SQL predicate (empty: all rows). */
  public TableRef where(Optional<String> predicate) {
    return new TableRef(table, version, timestamp, addedOnly, predicate, batch);
  }

  public TableRef at(long resolved) {
    return new TableRef(table, OptionalLong.of(resolved), Optional.empty(), addedOnly, where,
        Optional.empty());
  }

  /** Which rows of the version: "snapshot" or "added", with the filter if any. */
  public String selection() {
    return (addedOnly ? "added" : "snapshot") + where.map(w -> " where " + w).orElse("");
  }

  @Override
  public String toString() {
    String at = version.isPresent() ? "@" + version.getAsLong()
        : timestamp.map(t -> "@" + t).or(() -> batch.map(b -> "@batch=" + b)).orElse("@latest");
    return table + at + (addedOnly ? ":added" : "") + where.map(w -> " where " + w).orElse("");
  }
}
