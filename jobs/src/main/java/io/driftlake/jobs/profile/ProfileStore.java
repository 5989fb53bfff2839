package io.driftlake.jobs.profile;

import io.delta.kernel.expressions.And;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Or;
import io.delta.kernel.expressions.Predicate;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.profile.Subtraction;
import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.ProfileRows;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.DriverTable;
import io.driftlake.jobs.io.Lake;
import io.driftlake.jobs.io.TableLookup;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code profiles} Delta table: one row per (table, version, selection, feature) of a table
 * identity ({@code table_id}, the table's Delta id: the profiles of a table deleted and created
 * again under the same name, whose versions start again at 0, are never reused), so drift
 * between profiled selections needs no data scan (and works after the data files were VACUUMed).
 *
 * <p>{@link #profiles} finds a selection's profiles in this order: stored; incrementally, when
 * the selection is a snapshot and an earlier snapshot of the same table (same filter) is stored
 * and every commit since only appended, deleted, updated or merged rows — then the stored profile
 * plus a profile of the rows inserted since, minus one of the rows deleted since (the appended
 * files, or the change data feed: {@link Lake#changes}), so the cost follows the changed rows (a
 * feature whose profile cannot subtract exactly is profiled again from the snapshot); else one
 * full profiling scan. New profiles are not written until {@link #save}, so a job that fails
 * later leaves the table as it was.
 *
 * <p>Lookups read the table on the driver with Delta Kernel ({@link DriverTable}): a few rows of
 * one file per commit, no Spark job. Writes go through Spark's Delta writer, one file per save.
 */
public final class ProfileStore {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ProfileStore.class);
  private static final String TABLE_ID = "table_id";
  public static final StructType SCHEMA = schema();
  /** The key columns of {@link #SCHEMA}. */
  private static final StructType KEY = new StructType(new StructField[] {SCHEMA.apply("table"),
      SCHEMA.apply("version"), SCHEMA.apply("selection"), SCHEMA.apply("feature"),
      SCHEMA.apply(TABLE_ID)});

  /** The lake, for scans, change data and saves; null in a {@link #storedOnly} store. */
  private final Lake lake;
  private final TableLookup lookup;
  private final DriftAnalysis analysis;
  private final ProfileOptions options;
  private final List<Row> pending = new ArrayList<>();
  private final TreeSet<String> pendingKeys = new TreeSet<>();
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

  public ProfileStore(Lake lake, DriftAnalysis analysis, ProfileOptions options) {
    this(lake, lake, analysis, options);
  }

  private ProfileStore(Lake lake, TableLookup lookup, DriftAnalysis analysis,
                       ProfileOptions options) {
    this.lake = lake;
    this.lookup = lookup;
    this.analysis = analysis;
    this.options = options;
  }

  /** How a selection's profiles were obtained. */
  public enum Source { STORED, INCREMENTAL, SCANNED }

  /**
   * Profiles of a resolved selection, and how they were obtained ({@code detail} says from which
   * stored version and how many rows were profiled, for incremental ones).
   */
  public record Profiles(TableRef selection, Map<String, FeatureProfile> profiles, Source source,
                         String detail) {
    public Profiles {
      // In feature order: Map.copyOf would iterate in a per-JVM random order.
      profiles = Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
    }

    public long rows() {
      return profiles.values().stream().mapToLong(FeatureProfile::rows).findFirst().orElse(0);
    }
  }

  /**
   * A store that only reads stored profiles ({@link #stored}), through {@code lookup}: no Spark.
   * It profiles nothing and saves nothing.
   */
  public static ProfileStore storedOnly(TableLookup lookup, ProfileOptions options) {
    return new ProfileStore(null, lookup, null, options);
  }

  /**
   * The stored profiles of every resolved selection, in their order, read in ONE query; empty
   * when any selection lacks one of {@code features} (or has it with fewer details than the
   * options ask for): then it needs a profile, incremental or full.
   */
  public Optional<List<Profiles>> stored(List<TableRef> refs, List<FeatureSpec> features) {
    prefetch(refs);
    List<Profiles> out = new ArrayList<>();
    for (TableRef ref : refs) {
      Optional<Map<String, FeatureProfile>> found = load(ref.table(),
          ref.version().orElseThrow(), ref.selection(), features);
      if (found.isEmpty()) {
        return Optional.empty();
      }
      out.add(new Profiles(ref, found.get(), Source.STORED, "stored profiles of " + ref));
    }
    return Optional.of(out);
  }

  public Profiles profiles(TableRef ref, List<FeatureSpec> features) {
    return profiles(List.of(ref), features).get(0);
  }

  /**
   * Profiles of several resolved selections, in their order: each stored or incremental one as
   * {@link #profiles(TableRef, List)} finds it, and all the others profiled in ONE Spark job
   * (one scan each).
   */
  public List<Profiles> profiles(List<TableRef> refs, List<FeatureSpec> features) {
    List<Profiles> out = new ArrayList<>(Collections.nCopies(refs.size(), null));
    List<Integer> unprofiled = new ArrayList<>();
    for (int i = 0; i < refs.size(); i++) {
      Optional<Profiles> found = storedOrIncremental(refs.get(i), features);
      if (found.isPresent()) {
        out.set(i, found.get());
      } else {
        unprofiled.add(i);
      }
    }
    if (!unprofiled.isEmpty()) {
      List<TableRef> scan = unprofiled.stream().map(refs::get).toList();
      scan.forEach(lake::checkReadable); // VACUUMed files: one plain line, not a failed task
      lake.spark().sparkContext().setJobDescription("driftlake: profile " + scan);
      List<Map<String, FeatureProfile>> scanned = analysis.profileAll(
          scan.stream().map(lake::read).toList(), features);
      lake.spark().sparkContext().setJobDescription(null);
      for (int k = 0; k < scan.size(); k++) {
        TableRef ref = scan.get(k);
        queue(ref, scanned.get(k));
        out.set(unprofiled.get(k), new Profiles(ref, scanned.get(k), Source.SCANNED,
            "profiled " + ref + " in one scan"));
      }
    }
    return out;
  }

  private Optional<Profiles> storedOrIncremental(TableRef ref, List<FeatureSpec> features) {
    long version = ref.version().orElseThrow(
        () -> new IllegalArgumentException("Unresolved table selection: " + ref));
    Optional<StoredVersion> latest = Optional.empty();
    if (fetched.containsKey(key(ref.table(), version, ref.selection()))) {
      latest = load(ref.table(), version, ref.selection(), features)
          .map(p -> new StoredVersion(version, p)); // prefetched
    }
    if (latest.isEmpty()) {
      // Not stored at this version (prefetched or not): an earlier stored version may still
      // serve an incremental profile.
      latest = latestStored(ref, version, features);
    }
    if (latest.isPresent() && latest.get().version() == version) {
      return Optional.of(new Profiles(ref, latest.get().profiles(), Source.STORED,
          "stored profiles of " + ref));
    }
    if (latest.isPresent() && !ref.addedOnly()) {
      Optional<Profiles> incremental = incremental(ref, version, latest.get(), features);
      if (incremental.isPresent()) {
        queue(ref, incremental.get().profiles());
        return incremental;
      }
    }
    return Optional.empty();
  }

  /** One stored version of a selection and its profiles of the asked features. */
  private record StoredVersion(long version, Map<String, FeatureProfile> profiles) {}

  /** The profiles table, read on the driver (a few rows: no Spark job). */
  private Optional<DriverTable> stored() {
    if (stored == null) {
      Optional<DriverTable> table = lookup.onDriver(table());
      // A profiles table from before table ids holds nothing this store can tell apart.
      lacksTableIds = table.isPresent() && !table.get().hasColumn(TABLE_ID);
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
      return SCHEMA;
    }
    return new StructType(java.util.Arrays.stream(SCHEMA.fields())
        .filter(f -> !(lacksBuckets && f.name().equals(ProfileRows.BUCKETS)))
        .filter(f -> !(lacksBounds && f.name().equals(ProfileRows.BOUNDS)))
        .toArray(StructField[]::new));
  }

  /** The Delta id of a table, once per store (a run's tables keep theirs while it runs). */
  private String tableId(String table) {
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
          && version >= from && version <= to && tableId.equals(r.getAs(TABLE_ID));
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
  private Optional<StoredVersion> latestStored(TableRef ref, long version,
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
   * The stored profiles of an earlier version plus a profile of the rows inserted since, minus a
   * profile of the rows deleted since (both read as {@link Lake#changes}, profiled in one Spark
   * job), when the commits since then only appended, deleted, updated or merged rows. A feature
   * whose subtraction is not exact ({@link Subtraction#stale}: a removed value was the feature's
   * min or max, a capped top-k) or lacks what the options ask for (a KLL sketch cannot
   * subtract) is profiled again from the snapshot, those features alone, in one more job.
   */
  private Optional<Profiles> incremental(TableRef ref, long version, StoredVersion stored,
                                         List<FeatureSpec> features) {
    long base = stored.version();
    Optional<Lake.Changes> changes = lake.changes(ref.table(), base + 1, version);
    if (changes.isEmpty()) {
      return Optional.empty();
    }
    Dataset<Row> added = lake.filter(changes.get().inserted(), ref);
    Optional<Dataset<Row>> removed = changes.get().deleted().map(d -> lake.filter(d, ref));
    if (removed.isPresent() && changes.get().rewrites()) {
      // A row an UPDATE or MERGE rewrote without changing its features (a label correction) is
      // deleted and inserted with the same values: those cancel (as multisets, which is all a
      // profile sees), so they neither cost a profile nor take a bin's min or max away.
      org.apache.spark.sql.Column[] columns = features.stream()
          .map(f -> ColumnNames.col(f.name())).toArray(org.apache.spark.sql.Column[]::new);
      Dataset<Row> in = added.select(columns);
      Dataset<Row> out = removed.get().select(columns);
      added = in.exceptAll(out);
      removed = Optional.of(out.exceptAll(in));
    }
    lake.spark().sparkContext().setJobDescription("driftlake: profile rows "
        + (removed.isPresent() ? "inserted into and deleted from " : "added to ") + ref.table()
        + " after version " + base);
    List<Map<String, FeatureProfile>> deltas = analysis.profileAll(
        removed.isPresent() ? List.of(added, removed.get()) : List.of(added), features);
    lake.spark().sparkContext().setJobDescription(null);
    Map<String, FeatureProfile> merged = new LinkedHashMap<>();
    long addedRows = 0;
    long removedRows = 0;
    Map<String, String> stale = new LinkedHashMap<>();
    for (FeatureSpec f : features) {
      FeatureProfile b = stored.profiles().get(f.name());
      FeatureProfile d = deltas.get(0).get(f.name());
      addedRows = d.rows();
      if (removed.isEmpty()) {
        merged.put(f.name(), merge(b, d));
        continue;
      }
      FeatureProfile r = deltas.get(1).get(f.name());
      removedRows = r.rows();
      Subtraction left;
      try {
        left = change(b, d, r);
      } catch (IllegalArgumentException e) { // the stored profile lacks rows the feed deleted
        LOG.warn("{}@{}: the stored profile of {}@{} does not hold the deleted rows; profiling "
            + "'{}' again: {}", ref.table(), version, ref.table(), base, f.name(), e.getMessage());
        left = Subtraction.stale(e.getMessage());
      }
      if (!left.exact()) {
        stale.put(f.name(), left.stale());
      } else if (!options.satisfiedBy(left.profile())) {
        stale.put(f.name(), "a KLL sketch of '" + f.name() + "' cannot subtract rows");
      } else {
        merged.put(f.name(), left.profile());
      }
    }
    String detail = removed.isEmpty()
        ? String.format("stored profiles of %s@%d merged with %d rows added by versions %d..%d",
            ref.table(), base, addedRows, base + 1, version)
        : String.format("stored profiles of %s@%d plus %d rows inserted and minus %d rows "
            + "deleted by versions %d..%d", ref.table(), base, addedRows, removedRows, base + 1,
            version);
    List<String> bounded = new ArrayList<>();
    for (Map.Entry<String, FeatureProfile> e : merged.entrySet()) {
      if (e.getValue() instanceof NumericProfile n && n.boundedBins() > 0) {
        bounded.add(String.format("'%s' %d", e.getKey(), n.boundedBins()));
      }
    }
    if (!bounded.isEmpty()) {
      detail += "; fine bins keeping a bound of their min or max, not the value itself: "
          + String.join(", ", bounded);
    }
    if (!stale.isEmpty()) {
      List<FeatureSpec> again = features.stream().filter(f -> stale.containsKey(f.name()))
          .toList();
      lake.checkReadable(ref);
      lake.spark().sparkContext().setJobDescription(
          "driftlake: profile " + stale.keySet() + " of " + ref + " again");
      Map<String, FeatureProfile> scanned = analysis.profile(lake.read(ref), again);
      lake.spark().sparkContext().setJobDescription(null);
      LOG.info("{}@{}: {} profiled again in one scan: {}", ref.table(), version, stale.keySet(),
          String.join("; ", stale.values()));
      Map<String, FeatureProfile> ordered = new LinkedHashMap<>();
      features.forEach(f -> ordered.put(f.name(),
          merged.containsKey(f.name()) ? merged.get(f.name()) : scanned.get(f.name())));
      merged.clear();
      merged.putAll(ordered);
      detail += String.format("; %d of %d features profiled again in one scan (%s)", again.size(),
          features.size(), String.join("; ", stale.values()));
    }
    return Optional.of(new Profiles(ref, merged, Source.INCREMENTAL, detail));
  }

  private Subtraction change(FeatureProfile base, FeatureProfile inserted,
                             FeatureProfile removed) {
    if (base instanceof NumericProfile b && inserted instanceof NumericProfile i
        && removed instanceof NumericProfile r) {
      return b.change(i, r);
    }
    if (base instanceof CategoricalProfile b && inserted instanceof CategoricalProfile i
        && removed instanceof CategoricalProfile r) {
      return b.change(i, r, options.maxCategories());
    }
    throw new IllegalArgumentException(String.format(
        "Feature '%s' is %s in the stored profile but %s in the changed rows", base.feature(),
        base.type().id(), removed.type().id()));
  }

  private FeatureProfile merge(FeatureProfile base, FeatureProfile delta) {
    if (base instanceof NumericProfile b && delta instanceof NumericProfile d) {
      return b.merge(d);
    }
    if (base instanceof CategoricalProfile b && delta instanceof CategoricalProfile d) {
      return b.merge(d, options.maxCategories());
    }
    throw new IllegalArgumentException(String.format(
        "Feature '%s' is %s in the stored profile but %s in the added rows", base.feature(),
        base.type().id(), delta.type().id()));
  }

  /**
   * Reads the stored profiles of several resolved selections in ONE query and keeps them for
   * {@link #load} (a drift run fetches both sides at once).
   */
  public void prefetch(List<TableRef> selections) {
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

  private static String key(String table, long version, String selection) {
    return table + "@" + version + " " + selection;
  }

  /** The stored profiles of a selection, when every feature has one. */
  public Optional<Map<String, FeatureProfile>> load(String table, long version, String selection,
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

  /** Queues profiles computed elsewhere for a resolved selection; written by {@link #save}. */
  public void put(TableRef ref, Map<String, FeatureProfile> profiles) {
    ref.version().orElseThrow(() -> new IllegalArgumentException("Unresolved selection: " + ref));
    queue(ref, profiles);
  }

  private void queue(TableRef ref, Map<String, FeatureProfile> profiles) {
    String key = ref.table() + "@" + ref.version().getAsLong() + " " + ref.selection();
    if (!pendingKeys.add(key)) {
      return;
    }
    for (FeatureProfile p : profiles.values()) {
      Object[] values = ProfileRows.values(p);
      Object[] row = new Object[values.length + 6];
      row[row.length - 1] = tableId(ref.table());
      row[0] = ref.table();
      row[1] = ref.version().getAsLong();
      row[2] = ref.selection();
      System.arraycopy(values, 0, row, 3, values.length);
      pending.add(RowFactory.create(row));
    }
  }

  /**
   * Appends the profiles computed since the last save as ONE commit, skipping any selection
   * that is already stored (a rerun adds no duplicates), except one whose stored profiles lacked
   * what the options ask for: the same commit replaces those rows. Returns how many rows were
   * written.
   */
  public int save(String runId) {
    if (pending.isEmpty()) {
      return 0;
    }
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> fresh = new ArrayList<>();
    TreeSet<String> already = storedKeys(pending);
    List<String> written = new ArrayList<>();
    for (Row r : pending) {
      String id = r.getString(r.length() - 1);
      String key = r.getString(0) + "@" + r.getLong(1) + " " + r.getString(2) + " "
          + r.getString(3) + " " + id;
      boolean replace = already.contains(key)
          && replacing.contains(key(r.getString(0), r.getLong(1), r.getString(2)));
      if (!already.contains(key) || replace) {
        written.add(String.format("(`table` = %s AND version = %d AND selection = %s AND "
            + "feature = %s AND %s = %s)", literal(r.getString(0)), r.getLong(1),
            literal(r.getString(2)), literal(r.getString(3)), TABLE_ID, literal(id)));
        Object[] values = new Object[r.length()];
        for (int i = 0; i < r.length(); i++) {
          values[i] = r.get(i);
        }
        values[r.length() - 3] = runId;
        values[r.length() - 2] = now;
        fresh.add(RowFactory.create(values));
      }
    }
    pending.clear();
    pendingKeys.clear();
    if (fresh.isEmpty()) {
      return 0;
    }
    this.stored = null;
    fetched.clear();
    if (lacksTableIds) { // as storedKeys just read it
      // Its old rows stay, never matched; the column lets this save append to the table.
      lake.spark().sql(String.format("ALTER TABLE delta.`%s` ADD COLUMNS (%s STRING)",
          lake.path(table()).replace("`", "``"), TABLE_ID));
    }
    if (lacksBuckets) { // as storedKeys just read it
      // Old rows read as null buckets: their capped profiles are profiled again when needed.
      lake.spark().sql(String.format("ALTER TABLE delta.`%s` ADD COLUMNS (%s ARRAY<BIGINT>)",
          lake.path(table()).replace("`", "``"), ProfileRows.BUCKETS));
    }
    if (lacksBounds) { // as storedKeys just read it
      // Old rows read as null bounds: every bin extreme they hold is exact.
      lake.spark().sql(String.format("ALTER TABLE delta.`%s` ADD COLUMNS (%s ARRAY<STRUCT<key: "
          + "BIGINT, min_bound: BOOLEAN, max_bound: BOOLEAN>>)",
          lake.path(table()).replace("`", "``"), ProfileRows.BOUNDS));
    }
    // One file per save: a lookup reads one small file per commit it needs, on the driver.
    Dataset<Row> rows = lake.spark().createDataFrame(fresh, SCHEMA).coalesce(1);
    CommitStamp stamp = new CommitStamp("profile", runId, null, null);
    // One commit that drops any rows of these keys (outdated ones, or a concurrent run's copy of
    // the same profiles) and writes the new ones: a key is never stored twice.
    lake.replace(table(), rows, String.join(" OR ", written), stamp);
    replacing.clear();
    return fresh.size();
  }

  /** A Spark SQL string literal. */
  private static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private TreeSet<String> storedKeys(List<Row> rows) {
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
    storedRows(wanted, KEY)
        .forEach(r -> keys.add(r.getString(0) + "@" + r.getLong(1) + " " + r.getString(2) + " "
            + r.getString(3) + " " + r.getString(4)));
    return keys;
  }

  private String table() {
    return lookup.settings().tables().profiles();
  }

  private static StructType schema() {
    StructType s = new StructType()
        .add("table", DataTypes.StringType, false)
        .add("version", DataTypes.LongType, false)
        .add("selection", DataTypes.StringType, false);
    for (StructField f : ProfileRows.SCHEMA.fields()) {
      s = s.add(f);
    }
    return s.add("run_id", DataTypes.StringType, true)
        .add("computed_at", DataTypes.TimestampType, true)
        .add(TABLE_ID, DataTypes.StringType, true);
  }
}
