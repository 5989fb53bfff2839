package io.driftlake.jobs.profile;

import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.drift.spark.Predicates;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Profiles one selection into the profiles table (stored already: nothing to do; after appends:
 * incrementally), so later drift runs against it read no data.
 */
@Command(name = "profile", sortOptions = false,
    description = "Computes and stores the per-feature profiles "
    + "of a table selection, so later drift runs compare without rescanning it.")
public final class ProfileJob implements Callable<Integer> {
  @Mixin private JobOptions options;

  @Option(names = "--table", paramLabel = "REF", required = true,
      description = "Table selection, NAME[@VERSION|@latest|@TIMESTAMP][:added].")
  private String table;

  @Option(names = "--where", paramLabel = "SQL", description = "Row filter on the selection.")
  private String where;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run id stamped on the commit "
      + "(default: a new one); a rerun with the same id writes nothing twice.")
  private String runId;

  private ProfileJob() {}

  public static void main(String[] args) {
    JobMain.run(new ProfileJob(), args);
  }

  @Override
  public Integer call() throws Exception {
    JobSettings settings = JobSettings.load(options.config());
    String runId = Optional.ofNullable(this.runId).orElseGet(CommitStamp::newRunId);
    TableRef ref = TableRef.parse(table).where(Optional.ofNullable(where));
    try (SparkSession spark = Sparks.session(settings, "profile")) {
      Lake lake = new Lake(spark, settings);
      ProfileStore.Profiles profiles = profile(lake, ref, runId);
      System.out.printf("profile: %s, %d rows, %d features: %s%n", profiles.selection(),
          profiles.rows(), profiles.profiles().size(), profiles.detail());
    }
    return 0;
  }

  public static ProfileStore.Profiles profile(Lake lake, TableRef ref, String runId) {
    TableRef resolved = lake.resolve(ref);
    StructType schema;
    try {
      schema = lake.read(resolved).schema();
    } catch (Predicates.Refused e) {
      throw e.named("--where");
    }
    FeatureSpecs.Shared features = FeatureSpecs.shared(schema, schema,
        lake.settings().schema().nonFeatures());
    DriftAnalysis analysis = new DriftAnalysis(lake.settings().drift());
    ProfileStore store = new ProfileStore(lake, analysis, lake.settings().drift().profile());
    ProfileStore.Profiles profiles = store.profiles(resolved, features.features());
    store.save(runId);
    return profiles;
  }
}
