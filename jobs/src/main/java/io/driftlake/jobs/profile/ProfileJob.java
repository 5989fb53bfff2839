package io.driftlake.jobs.profile;

import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.jobs.common.JobArgs;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import io.driftlake.jobs.io.Predicates;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Profiles one selection into the profiles table (stored already: nothing to do; after appends:
 * incrementally), so later drift runs against it read no data.
 */
public final class ProfileJob {
  private ProfileJob() {}

  public static void main(String[] args) {
    JobMain.run("profile", args, ProfileJob::execute);
  }

  static int execute(String[] args) throws Exception {
    JobArgs a = JobArgs.parse("profile", args, Set.of("table", "where", "run-id"));
    JobSettings settings = JobSettings.load(a.option("config"));
    String runId = a.option("run-id").orElseGet(CommitStamp::newRunId);
    TableRef ref = TableRef.parse(a.required("table")).where(a.option("where"));
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
