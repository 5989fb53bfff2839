package io.driftlake.jobs.profile;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.profile.Subtraction;
import io.driftlake.drift.spark.ColumnNames;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.Lake;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Incremental profiles (see {@link ProfileStore#profiles}): a stored snapshot's profiles plus a
 * profile of the rows inserted since, minus one of the rows deleted since.
 */
final class IncrementalProfiles {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(IncrementalProfiles.class);

  private final Lake lake;
  private final DriftAnalysis analysis;
  private final ProfileOptions options;

  IncrementalProfiles(Lake lake, DriftAnalysis analysis, ProfileOptions options) {
    this.lake = lake;
    this.analysis = analysis;
    this.options = options;
  }

  /**
   * The stored profiles of an earlier version plus a profile of the rows inserted since, minus a
   * profile of the rows deleted since (both read as {@link Lake#changes}, profiled in one Spark
   * job), when the commits since then only appended, deleted, updated or merged rows. A feature
   * whose subtraction is not exact ({@link Subtraction#stale}: a removed value was the feature's
   * min or max, a capped top-k) or lacks what the options ask for (a KLL sketch cannot
   * subtract) is profiled again from the snapshot, those features alone, in one more job.
   */
  Optional<ProfileStore.Profiles> incremental(TableRef ref, long version,
      StoredProfiles.StoredVersion stored, List<FeatureSpec> features) {
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
        merged.put(f.name(), b.merge(d, options.maxCategories()));
        continue;
      }
      FeatureProfile r = deltas.get(1).get(f.name());
      removedRows = r.rows();
      Subtraction left;
      try {
        left = b.change(d, r, options.maxCategories());
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
    return Optional.of(new ProfileStore.Profiles(ref, merged, ProfileStore.Source.INCREMENTAL,
        detail));
  }
}
