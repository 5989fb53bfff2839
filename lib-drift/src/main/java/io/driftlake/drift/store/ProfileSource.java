package io.driftlake.drift.store;

/** How a selection's profiles were obtained for a drift run. */
public enum ProfileSource {
  /** Read from the store: no data row was scanned. */
  STORED,
  /** A stored profile of an earlier version, plus the rows inserted since, minus those deleted. */
  INCREMENTAL,
  /** Profiled from the selection's rows in one scan. */
  SCANNED
}
