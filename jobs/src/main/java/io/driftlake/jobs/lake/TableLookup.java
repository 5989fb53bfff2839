package io.driftlake.jobs.lake;

import io.driftlake.jobs.common.JobSettings;
import java.util.Optional;

/**
 * What a lookup of the lake's small tables (the profiles table) needs: the settings, a table's
 * latest snapshot read on the driver, and a table's Delta id. {@link Lake} answers it inside a
 * SparkSession, {@link KernelLake} without one.
 */
public interface TableLookup {
  JobSettings settings();

  /** The latest snapshot of a small table, read on the driver; empty when it does not exist. */
  Optional<DriverTable> onDriver(String table);

  /** The table's Delta id: a table deleted and created again under its name has a new one. */
  String tableId(String table);
}
