package io.driftlake.jobs.drift;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.store.ProfileSource;
import io.driftlake.drift.store.SelectionData;
import io.driftlake.drift.store.SelectionProfiles;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.drift.spark.Predicates;
import io.driftlake.jobs.profile.ProfileStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The lake's profiles table as lib-drift's {@link io.driftlake.drift.store.ProfileStore}, for one
 * drift run of two resolved selections: their data is opened up front (so a bad filter fails
 * naming its option), and the lake store's own records of the profiles are kept for the job's
 * tables and reports.
 */
final class LakeSelections implements io.driftlake.drift.store.ProfileStore<TableRef> {
  private final ProfileStore store;
  private final TableRef reference;
  private final SelectionData referenceData;
  private final SelectionData currentData;
  private final Map<ProfileStore.Source, ProfileSource> sources = Map.of(
      ProfileStore.Source.STORED, ProfileSource.STORED,
      ProfileStore.Source.INCREMENTAL, ProfileSource.INCREMENTAL,
      ProfileStore.Source.SCANNED, ProfileSource.SCANNED);
  private List<ProfileStore.Profiles> last = List.of();

  LakeSelections(Lake lake, ProfileStore store, TableRef reference, TableRef current) {
    this.store = store;
    this.reference = reference;
    this.referenceData = open(lake, reference, "--reference-where");
    this.currentData = open(lake, current, "--current-where");
  }

  @Override
  public SelectionData open(TableRef selection) {
    return selection == reference ? referenceData : currentData;
  }

  @Override
  public List<SelectionProfiles> profiles(List<TableRef> selections, List<FeatureSpec> features,
                                          ProfileOptions options) {
    store.prefetch(selections);
    last = store.profiles(selections, features);
    List<SelectionProfiles> out = new ArrayList<>();
    for (ProfileStore.Profiles p : last) {
      out.add(new SelectionProfiles(p.selection().toString(), p.profiles(),
          sources.get(p.source()), p.detail()));
    }
    return out;
  }

  @Override
  public int save(String runId) {
    return store.save(runId);
  }

  /** The lake store's records of the last {@link #profiles} call, in its order. */
  List<ProfileStore.Profiles> lastProfiles() {
    return last;
  }

  /**
   * A selection's rows, or, when the files its rows were added in are gone (rewritten, then
   * vacuumed), its columns and the missing file: its stored profiles may still serve a drift.
   */
  private static SelectionData open(Lake lake, TableRef ref, String whereOption) {
    try {
      Dataset<Row> data = lake.read(ref);
      // A snapshot whose files VACUUM removed is known from the log: the exact passes then
      // never start (a failed task would log a long ERROR trace before the fallback).
      Optional<String> gone = ref.addedOnly() ? Optional.empty()
          : lake.missingFile(ref.table(), ref.version().orElseThrow()).map(file -> String.format(
              "version %d of table '%s' reads a data file that VACUUM removed: %s",
              ref.version().getAsLong(), ref.table(), file));
      return new SelectionData(Optional.of(data), data.schema(), gone);
    } catch (Predicates.Refused e) {
      throw e.named(whereOption);
    } catch (RuntimeException e) {
      Optional<String> gone = io.driftlake.drift.store.MissingFiles.of(e);
      if (gone.isEmpty() || !ref.addedOnly()) {
        throw e;
      }
      StructType schema = lake.addedSchema(ref.table());
      // A bad filter still fails here, on the columns alone.
      try {
        lake.filter(lake.spark().createDataFrame(List.of(), schema), ref);
      } catch (Predicates.Refused refused) {
        throw refused.named(whereOption);
      }
      return new SelectionData(Optional.empty(), schema, gone);
    }
  }
}
