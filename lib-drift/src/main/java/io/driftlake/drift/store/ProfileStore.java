package io.driftlake.drift.store;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.ProfileOptions;
import java.util.List;

/**
 * Where a drift run gets each side's profiles: stored ones when the store has them (so a
 * comparison reads no data, and still works after VACUUM removed the data files), else new ones,
 * held until {@link #save}. {@link io.driftlake.drift.Drift#between(ProfileStore, Object, Object)}
 * calls it; the lake's Delta-backed profiles table is the drift job's implementation, and
 * {@link DeltaVersionStore} keeps profiles of Delta table versions in memory for one program.
 *
 * @param <S> what a selection is (a Delta table version, a lake's table reference)
 */
public interface ProfileStore<S> {
  /**
   * The selection's rows and columns, or, when a data file it reads is gone, its columns and the
   * line naming the file.
   */
  SelectionData open(S selection);

  /**
   * Every selection's profiles of {@code features}, in the order given: stored, incremental or
   * scanned (all scanned ones in one Spark job where the store can). New profiles are held until
   * {@link #save}.
   */
  List<SelectionProfiles> profiles(List<S> selections, List<FeatureSpec> features,
                                   ProfileOptions options);

  /**
   * Stores the profiles made since the last save, tagged with {@code runId}; returns how many
   * feature profiles it wrote (0 when nothing was new).
   */
  int save(String runId);

  /** The selection's name in notes and errors. */
  default String describe(S selection) {
    return String.valueOf(selection);
  }
}
