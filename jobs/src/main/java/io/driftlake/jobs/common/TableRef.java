package io.driftlake.jobs.common;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A selection of a lake table: {@code NAME} or {@code NAME@latest} (the latest snapshot),
 * {@code NAME@N} (the snapshot at version N), and a {@code :added} suffix for only the rows that
 * version added (e.g. {@code production@7:added}).
 */
public record TableRef(String table, OptionalLong version, boolean addedOnly) {
  private static final Pattern FORMAT =
      Pattern.compile("([A-Za-z0-9_\\-]+)(?:@(latest|\\d+))?(:added)?");

  public static TableRef parse(String text) {
    Matcher m = FORMAT.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(String.format(
          "Bad table selection '%s'; expected NAME[@VERSION|@latest][:added], e.g. production@3:added",
          text));
    }
    OptionalLong version = m.group(2) == null || m.group(2).equals("latest")
        ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(m.group(2)));
    return new TableRef(m.group(1), version, m.group(3) != null);
  }

  public TableRef at(long resolved) {
    return new TableRef(table, OptionalLong.of(resolved), addedOnly);
  }

  public String selection() {
    return addedOnly ? "added" : "snapshot";
  }

  @Override
  public String toString() {
    return table + (version.isPresent() ? "@" + version.getAsLong() : "@latest")
        + (addedOnly ? ":added" : "");
  }
}
