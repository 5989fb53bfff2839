package io.driftlake.jobs.profile;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.ProfileRows;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.DriverTable;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.lake.TableLookup;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  static final String TABLE_ID = "table_id";
  public static final StructType SCHEMA = schema();
  /** The key columns of {@link #SCHEMA}. */
  static final StructType KEY = new StructType(new StructField[] {SCHEMA.apply("table"),
      SCHEMA.apply("version"), SCHEMA.apply("selection"), SCHEMA.apply("feature"),
      SCHEMA.apply(TABLE_ID)});

  /** The lake, for scans, change data and saves; null in a {@link #storedOnly} store. */
  private final Lake lake;
  private final DriftAnalysis analysis;
  private final StoredProfiles lookups;
  /** Null in a {@link #storedOnly} store. */
  private final IncrementalProfiles incremental;
  private final List<Row> pending = new ArrayList<>();
  private final TreeSet<String> pendingKeys = new TreeSet<>();

  public ProfileStore(Lake lake, DriftAnalysis analysis, ProfileOptions options) {
    this(lake, lake, analysis, options);
  }

  private ProfileStore(Lake lake, TableLookup lookup, DriftAnalysis analysis,
                       ProfileOptions options) {
    this.lake = lake;
    this.analysis = analysis;
    this.lookups = new StoredProfiles(lookup, options);
    this.incremental = lake == null ? null : new IncrementalProfiles(lake, analysis, options);
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
   * Every version of {@code table} whose {@code selection} ({@code added}, {@code snapshot}) has
   * stored profiles, oldest first, each with its features' profiles: read on the driver, no
   * data.
   */
  public java.util.NavigableMap<Long, Map<String, FeatureProfile>> storedVersions(String table,
                                                                                 String selection) {
    return lookups.versions(table, selection);
  }

  /**
   * The stored profiles of every resolved selection, in their order, read in ONE query; empty
   * when any selection lacks one of {@code features} (or has it with fewer details than the
   * options ask for): then it needs a profile, incremental or full.
   */
  public Optional<List<Profiles>> stored(List<TableRef> refs, List<FeatureSpec> features) {
    lookups.prefetch(refs);
    List<Profiles> out = new ArrayList<>();
    for (TableRef ref : refs) {
      Optional<Map<String, FeatureProfile>> found = lookups.load(ref.table(),
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
    Optional<StoredProfiles.StoredVersion> latest = Optional.empty();
    if (lookups.fetched(ref.table(), version, ref.selection())) {
      latest = lookups.load(ref.table(), version, ref.selection(), features)
          .map(p -> new StoredProfiles.StoredVersion(version, p)); // prefetched
    }
    if (latest.isEmpty()) {
      // Not stored at this version (prefetched or not): an earlier stored version may still
      // serve an incremental profile.
      latest = lookups.latestStored(ref, version, features);
    }
    if (latest.isPresent() && latest.get().version() == version) {
      return Optional.of(new Profiles(ref, latest.get().profiles(), Source.STORED,
          "stored profiles of " + ref));
    }
    if (latest.isPresent() && !ref.addedOnly()) {
      Optional<Profiles> found = incremental.incremental(ref, version, latest.get(), features);
      if (found.isPresent()) {
        queue(ref, found.get().profiles());
        return found;
      }
    }
    return Optional.empty();
  }

  /**
   * Reads the stored profiles of several resolved selections in ONE query and keeps them for
   * {@link #load} (a drift run fetches both sides at once).
   */
  public void prefetch(List<TableRef> selections) {
    lookups.prefetch(selections);
  }

  /** The stored profiles of a selection, when every feature has one. */
  public Optional<Map<String, FeatureProfile>> load(String table, long version, String selection,
                                                    List<FeatureSpec> features) {
    return lookups.load(table, version, selection, features);
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
      row[row.length - 1] = lookups.tableId(ref.table());
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
    TreeSet<String> already = lookups.storedKeys(pending);
    List<String> written = new ArrayList<>();
    for (Row r : pending) {
      String id = r.getString(r.length() - 1);
      String key = r.getString(0) + "@" + r.getLong(1) + " " + r.getString(2) + " "
          + r.getString(3) + " " + id;
      boolean replace = already.contains(key)
          && lookups.replaces(r.getString(0), r.getLong(1), r.getString(2));
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
    boolean lacksTableIds = lookups.lacksTableIds();
    boolean lacksBuckets = lookups.lacksBuckets();
    boolean lacksBounds = lookups.lacksBounds();
    lookups.forget();
    if (lacksTableIds) { // as storedKeys just read it
      // Its old rows stay, never matched; the column lets this save append to the table.
      lake.spark().sql(String.format("ALTER TABLE delta.`%s` ADD COLUMNS (%s STRING)",
          lake.path(lookups.table()).replace("`", "``"), TABLE_ID));
    }
    if (lacksBuckets) { // as storedKeys just read it
      // Old rows read as null buckets: their capped profiles are profiled again when needed.
      lake.spark().sql(String.format("ALTER TABLE delta.`%s` ADD COLUMNS (%s ARRAY<BIGINT>)",
          lake.path(lookups.table()).replace("`", "``"), ProfileRows.BUCKETS));
    }
    if (lacksBounds) { // as storedKeys just read it
      // Old rows read as null bounds: every bin extreme they hold is exact.
      lake.spark().sql(String.format("ALTER TABLE delta.`%s` ADD COLUMNS (%s ARRAY<STRUCT<key: "
          + "BIGINT, min_bound: BOOLEAN, max_bound: BOOLEAN>>)",
          lake.path(lookups.table()).replace("`", "``"), ProfileRows.BOUNDS));
    }
    // One file per save: a lookup reads one small file per commit it needs, on the driver.
    Dataset<Row> rows = lake.spark().createDataFrame(fresh, SCHEMA).coalesce(1);
    CommitStamp stamp = new CommitStamp("profile", runId, null, null);
    // One commit that drops any rows of these keys (outdated ones, or a concurrent run's copy of
    // the same profiles) and writes the new ones: a key is never stored twice.
    lake.replace(lookups.table(), rows, String.join(" OR ", written), stamp);
    lookups.replaced();
    return fresh.size();
  }

  /** A Spark SQL string literal. */
  private static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
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
