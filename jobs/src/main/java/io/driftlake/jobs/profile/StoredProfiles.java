package io.driftlake.jobs.profile;

import io.delta.kernel.expressions.And;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Or;
import io.delta.kernel.expressions.Predicate;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.spark.ProfileRows;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.DriverTable;
import io.driftlake.jobs.lake.TableLookup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The stored side of {@link ProfileStore}: the profiles table read on the driver with Delta
 * Kernel (one snapshot per store until a save), the selections' profiles found there and kept,
 * and the columns older tables lack.
 */
final class StoredProfiles {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(StoredProfiles.class);

  private final TableLookup lookup;
  private final ProfileOptions options;
  /** The profiles table as of the first lookup (one Delta snapshot per store); reset by save. */
  private Optional<DriverTable> stored;
  /** Stored profiles read so far: selection key → feature → profile. */
  private final Map<String, Map<String, FeatureProfile>> fetched = new java.util.HashMap<>();
  /** Stored selections whose profiles lack what the options ask for: saving replaces them. */
  private final Set<String> replacing = new TreeSet<>();
  private final Map<String, String> tableIds = new java.util.HashMap<>();
  /** The profiles table exists but was written before table ids (as of {@link #stored}). */
  private boolean lacksTableIds;
  /** The profiles table exists but was written before category buckets (as of {@link #stored}). */
  private boolean lacksBuckets;
  /** The profiles table exists but was written before bin bounds (as of {@link #stored}). */
  private boolean lacksBounds;

  StoredProfiles(TableLookup lookup, ProfileOptions options) {
    this.lookup = lookup;
    this.options = options;
  }

  /** Whether {@link #prefetch} or a lookup already read this selection's stored profiles. */
  boolean fetched(String table, long version, String selection) {
    return fetched.containsKey(key(table, version, selection));
  }

  /** Whether saving {@code table@version selection} replaces stored profiles that lack details. */
  boolean replaces(String table, long version, String selection) {
    return replacing.contains(key(table, version, selection));
  }

  /** Before a save's commit: the next lookup reads the table again. */
  void forget() {
    stored = null;
    fetched.clear();
  }

  /** After a save's commit: what it was to replace is replaced. */
  void replaced() {
    replacing.clear();
  }

  /** The profiles table predates table ids (as of the last lookup). */
  boolean lacksTableIds() {
    return lacksTableIds;
  }

  /** The profiles table predates category buckets (as of the last lookup). */
  boolean lacksBuckets() {
    return lacksBuckets;
  }

  /** The profiles table predates bin bounds (as of the last lookup). */
  boolean lacksBounds() {
    return lacksBounds;
  }

  /** One stored version of a selection and its profiles of the asked features. */
  record StoredVersion(long version, Map<String, FeatureProfile> profiles) {}

  /** The profiles table, read on the driver (a few rows: no Spark job). */
  Optional<DriverTable> stored() {
    if (stored == null) {
      Optional<DriverTable> table = lookup.onDriver(table());
      // A profiles table from before table ids holds nothing this store can tell apart.
      lacksTableIds = table.isPresent() && !table.get().hasColumn(ProfileStore.TABLE_ID);
      lacksBuckets = table.isPresent() && !table.get().hasColumn(ProfileRows.BUCKETS);
      lacksBounds = table.isPresent() && !table.get().hasColumn(ProfileRows.BOUNDS);
      stored = table.filter(t -> !lacksTableIds);
    }
    return stored;
  }

  /**
   * The columns to read: all, or without the category buckets when the table predates them
   * (its capped categorical profiles then have none, and are profiled again), or without the
   * bin bounds (its profiles, all from before them, have exact bin extremes).
   */
  private StructType readSchema() {
    if (stored().isEmpty() || !lacksBuckets && !lacksBounds) {
      return ProfileStore.SCHEMA;
    }
    return new StructType(java.util.Arrays.stream(ProfileStore.SCHEMA.fields())
        .filter(f -> !(lacksBuckets && f.name().equals(ProfileRows.BUCKETS)))
        .filter(f -> !(lacksBounds && f.name().equals(ProfileRows.BOUNDS)))
        .toArray(StructField[]::new));
  }

  /** The Delta id of a table, once per store (a run's tables keep theirs while it runs). */
  String tableId(String table) {
    return tableIds.computeIfAbsent(table, lookup::tableId);
  }

  /**
   * Stored rows of one selection of a table from one version to another (inclusive); the
   * Delta statistics of the profiles table's files skip the others.
   */
  private record Versions(String table, String selection, long from, long to, String tableId) {
    Predicate skipping() {
      return new And(
          new And(equal("table", Literal.ofString(table)),
              equal("selection", Literal.ofString(selection))),
          new And(new Predicate(">=", new Column("version"), Literal.ofLong(from)),
              new Predicate("<=", new Column("version"), Literal.ofLong(to))));
    }

    boolean holds(Row r) {
      long version = r.getAs("version");
      return table.equals(r.getAs("table")) && selection.equals(r.getAs("selection"))
          && version >= from && version <= to && tableId.equals(r.getAs(ProfileStore.TABLE_ID));
    }

    private static Predicate equal(String column, Literal value) {
      return new Predicate("=", new Column(column), value);
    }
  }

  /** The stored rows of any of these versions, with the columns of {@code schema}. */
  private List<Row> storedRows(List<Versions> wanted, StructType schema) {
    if (stored().isEmpty() || wanted.isEmpty()) {
      return List.of();
    }
    Predicate skipping = wanted.get(0).skipping();
    for (Versions v : wanted.subList(1, wanted.size())) {
      skipping = new Or(skipping, v.skipping());
    }
    return stored().get().rows(schema, skipping,
        r -> wanted.stream().anyMatch(v -> v.holds(r)));
  }

  /**
   * The latest stored version of a selection, up to {@code version}, that has all
   * {@code features}. The profiles table's files are read newest first by their statistics (the
   * largest version in each), and only until no unread file can hold a later complete version:
   * usually one file, as every save is one commit of one file.
   */
  Optional<StoredVersion> latestStored(TableRef ref, long version,
                                               List<FeatureSpec> features) {
    if (stored().isEmpty()) {
      return Optional.empty();
    }
    Versions upTo = new Versions(ref.table(), ref.selection(), 0, version, tableId(ref.table()));
    List<DriverTable.DataFile> files = new ArrayList<>(
        stored().get().files(readSchema(), upTo.skipping(), "version"));
    files.sort(java.util.Comparator.comparingLong(
        (DriverTable.DataFile f) -> f.max().orElse(Long.MAX_VALUE)).reversed());
    Set<String> wanted = new TreeSet<>();
    features.forEach(f -> wanted.add(f.name()));
    TreeMap<Long, Map<String, Row>> versions = new TreeMap<>();
    for (int i = 0; i < files.size(); i++) {
      files.get(i).rows(upTo::holds).forEach(r -> versions
          .computeIfAbsent(r.getAs("version"), v -> new java.util.HashMap<>())
          .put(r.getAs("feature"), r));
      // Every file that can hold a version above the next file's largest has been read.
      long unread = i + 1 < files.size() ? files.get(i + 1).max().orElse(Long.MAX_VALUE) : -1;
      for (Map.Entry<Long, Map<String, Row>> e : versions.descendingMap().entrySet()) {
        if (e.getKey() <= unread) {
          break;
        }
        if (e.getValue().keySet().containsAll(wanted)) {
          Map<String, FeatureProfile> byFeature = new LinkedHashMap<>();
          e.getValue().forEach((feature, r) -> byFeature.put(feature, ProfileRows.profile(r)));
          fetched.put(key(ref.table(), e.getKey(), ref.selection()), byFeature);
          return load(ref.table(), e.getKey(), ref.selection(), features)
              .map(p -> new StoredVersion(e.getKey(), p));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Reads the stored profiles of several resolved selections in ONE query and keeps them for
   * {@link #load} (a drift run fetches both sides at once).
   */
  void prefetch(List<TableRef> selections) {
    if (stored().isEmpty() || selections.isEmpty()) {
      return;
    }
    List<Versions> wanted = new ArrayList<>();
    for (TableRef ref : selections) {
      String key = key(ref.table(), ref.version().orElseThrow(), ref.selection());
      if (fetched.putIfAbsent(key, new LinkedHashMap<>()) == null) {
        long version = ref.version().orElseThrow();
        wanted.add(new Versions(ref.table(), ref.selection(), version, version,
            tableId(ref.table())));
      }
    }
    for (Row r : storedRows(wanted, readSchema())) {
      fetched.get(key(r.getAs("table"), r.<Long>getAs("version"), r.getAs("selection")))
          .put(r.getAs("feature"), ProfileRows.profile(r));
    }
  }

  /**
   * Every stored version of one selection of a table (e.g. {@code added}: each version's
   * inserted rows), version → feature → profile, read in one driver-side query.
   */
  TreeMap<Long, Map<String, FeatureProfile>> versions(String table, String selection) {
    TreeMap<Long, Map<String, FeatureProfile>> out = new TreeMap<>();
    Versions all = new Versions(table, selection, 0, Long.MAX_VALUE, tableId(table));
    for (Row r : storedRows(List.of(all), readSchema())) {
      out.computeIfAbsent(r.<Long>getAs("version"), v -> new LinkedHashMap<>())
          .put(r.getAs("feature"), ProfileRows.profile(r));
    }
    return out;
  }

  static String key(String table, long version, String selection) {
    return table + "@" + version + " " + selection;
  }

  /** The stored profiles of a selection, when every feature has one. */
  Optional<Map<String, FeatureProfile>> load(String table, long version, String selection,
                                                    List<FeatureSpec> features) {
    if (stored().isEmpty()) {
      return Optional.empty();
    }
    Map<String, FeatureProfile> byFeature = fetched.get(key(table, version, selection));
    if (byFeature == null) {
      byFeature = new LinkedHashMap<>();
      for (Row r : storedRows(List.of(new Versions(table, selection, version, version,
          tableId(table))),
          readSchema())) {
        byFeature.put(r.getAs("feature"), ProfileRows.profile(r));
      }
      fetched.put(key(table, version, selection), byFeature);
    }
    Map<String, FeatureProfile> out = new LinkedHashMap<>();
    for (FeatureSpec f : features) {
      FeatureProfile p = byFeature.get(f.name());
      if (p == null || p.type() != f.type()) {
        return Optional.empty();
      }
      if (!options.satisfiedBy(p)) {
        // Stored with other options (no KLL sketch, fewer categories): profiled again, and
        // the new profiles replace these when saved.
        LOG.info("Stored profile of {}@{} {} '{}' lacks what {} asks for; profiling again",
            table, version, selection, f.name(), options);
        replacing.add(key(table, version, selection));
        return Optional.empty();
      }
      out.put(f.name(), p);
    }
    return Optional.of(out);
  }

  TreeSet<String> storedKeys(List<Row> rows) {
    TreeSet<String> keys = new TreeSet<>();
    stored = null; // the latest snapshot: another job may have stored these keys meanwhile
    if (stored().isEmpty()) {
      return keys;
    }
    List<Versions> wanted = new ArrayList<>();
    for (Row r : rows) {
      Versions v = new Versions(r.getString(0), r.getString(2), r.getLong(1), r.getLong(1),
          r.getString(r.length() - 1));
      if (!wanted.contains(v)) {
        wanted.add(v);
      }
    }
    storedRows(wanted, ProfileStore.KEY)
        .forEach(r -> keys.add(r.getString(0) + "@" + r.getLong(1) + " " + r.getString(2) + " "
            + r.getString(3) + " " + r.getString(4)));
    return keys;
  }

  String table() {
    return lookup.settings().tables().profiles();
  }
}
