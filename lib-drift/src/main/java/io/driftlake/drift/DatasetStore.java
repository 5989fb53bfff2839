package io.driftlake.drift;

import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.ProfileOptions;
import io.driftlake.drift.spark.SparkProfiler;
import io.driftlake.drift.store.ProfileSource;
import io.driftlake.drift.store.ProfileStore;
import io.driftlake.drift.store.SelectionData;
import io.driftlake.drift.store.SelectionProfiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The store behind {@link Drift#between(Dataset, Dataset)}: two DataFrames, profiled in one Spark
 * job each time, nothing stored.
 */
final class DatasetStore implements ProfileStore<Dataset<Row>> {
  private final Dataset<Row> reference;

  DatasetStore(Dataset<Row> reference) {
    this.reference = reference;
  }

  @Override
  public SelectionData open(Dataset<Row> selection) {
    return SelectionData.of(selection);
  }

  @Override
  public List<SelectionProfiles> profiles(List<Dataset<Row>> selections,
                                          List<FeatureSpec> features, ProfileOptions options) {
    var context = selections.get(0).sparkSession().sparkContext();
    context.setJobDescription("driftlake: profile reference and current");
    List<Map<String, FeatureProfile>> scanned =
        SparkProfiler.profileAll(selections, features, options);
    context.setJobDescription(null);
    return scanned(selections, scanned);
  }

  /** The selections' profiles, scanned in one job ({@code scanned}, in their order). */
  List<SelectionProfiles> scanned(List<Dataset<Row>> selections,
                                  List<Map<String, FeatureProfile>> scanned) {
    List<SelectionProfiles> out = new ArrayList<>();
    for (int i = 0; i < selections.size(); i++) {
      String name = describe(selections.get(i));
      out.add(new SelectionProfiles(name, scanned.get(i), ProfileSource.SCANNED,
          "profiled the " + name + " DataFrame in one scan"));
    }
    return out;
  }

  @Override
  public int save(String runId) {
    return 0;
  }

  @Override
  public String describe(Dataset<Row> selection) {
    return selection == reference ? "reference" : "current";
  }
}
