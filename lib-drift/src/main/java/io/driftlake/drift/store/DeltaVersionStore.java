package io.driftlake.drift.store;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.spark.SparkProfiler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Profiles of Delta table versions ({@link Version}: a table path and a version), kept in memory
 * for the life of this object: a version profiled and {@link #save saved} once is compared again
 * without a scan. For profiles that outlive the program (and VACUUM), the drift job's profiles
 * table is the lake's store.
 */
public final class DeltaVersionStore implements ProfileStore<DeltaVersionStore.Version> {
  private final SparkSession spark;
  private final Map<Version, Stored> stored = new HashMap<>();
  private final Map<Version, Stored> pending = new LinkedHashMap<>();

  /** A store reading Delta tables through {@code spark} (a session with Delta configured). */
  public DeltaVersionStore(SparkSession spark) {
    this.spark = Objects.requireNonNull(spark, "spark");
  }

  /**
   * A Delta table at one version.
   *
   * @param path the table's location (a local path or any URI Spark reads)
   * @param version the table version, as {@code versionAsOf} reads it
   */
  public record Version(String path, long version) {
    /** Checks the path is given and the version is not negative. */
    public Version {
      Objects.requireNonNull(path, "path");
      if (version < 0) {
        throw new IllegalArgumentException("Delta version must be >= 0: " + version + " of "
            + path);
      }
    }

    /** {@code path@version}. */
    @Override
    public String toString() {
      return path + "@" + version;
    }
  }

  /** Version {@code version} of the Delta table at {@code path}. */
  public static Version version(String path, long version) {
    return new Version(path, version);
  }

  private record Stored(Map<String, FeatureProfile> profiles, ProfileOptions options) {}

  /** The version's rows, read with {@code versionAsOf}. */
  @Override
  public SelectionData open(Version selection) {
    return SelectionData.of(read(selection));
  }

  private Dataset<Row> read(Version selection) {
    return spark.read().format("delta").option("versionAsOf", selection.version())
        .load(selection.path());
  }

  /**
   * Profiles kept (saved earlier with options that hold what {@code options} ask for and every
   * feature), else all the others profiled in one Spark job.
   */
  @Override
  public List<SelectionProfiles> profiles(List<Version> selections, List<FeatureSpec> features,
                                          ProfileOptions options) {
    List<SelectionProfiles> out = new ArrayList<>(Collections.nCopies(selections.size(), null));
    List<Integer> scan = new ArrayList<>();
    for (int i = 0; i < selections.size(); i++) {
      Version v = selections.get(i);
      Stored s = stored.get(v);
      if (s != null && options.equals(s.options())
          && features.stream().allMatch(f -> s.profiles().containsKey(f.name())
              && s.profiles().get(f.name()).type() == f.type())) {
        Map<String, FeatureProfile> kept = new LinkedHashMap<>();
        features.forEach(f -> kept.put(f.name(), s.profiles().get(f.name())));
        out.set(i, new SelectionProfiles(v.toString(), kept, ProfileSource.STORED,
            "stored profiles of " + v));
      } else {
        scan.add(i);
      }
    }
    if (!scan.isEmpty()) {
      List<Map<String, FeatureProfile>> scanned = SparkProfiler.profileAll(
          scan.stream().map(i -> read(selections.get(i))).toList(), features, options);
      for (int k = 0; k < scan.size(); k++) {
        Version v = selections.get(scan.get(k));
        pending.put(v, new Stored(scanned.get(k), options));
        out.set(scan.get(k), new SelectionProfiles(v.toString(), scanned.get(k),
            ProfileSource.SCANNED, "profiled " + v + " in one scan"));
      }
    }
    return out;
  }

  /** Keeps the profiles made since the last save, for later comparisons of the same versions. */
  @Override
  public int save(String runId) {
    int written = pending.values().stream().mapToInt(s -> s.profiles().size()).sum();
    stored.putAll(pending);
    pending.clear();
    return written;
  }
}
