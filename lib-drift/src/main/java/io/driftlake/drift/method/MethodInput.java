package io.driftlake.drift.method;

import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.stat.Estimate;
import io.driftlake.drift.stat.PooledValues;

/**
 * What a method scores one feature from: both profiles (each with non-null values), the bins
 * of both sides (made on first use), and the statistics of the empirical distributions a pass
 * over the data or the fine histograms gave (each null when not computed; {@link #failure} then
 * may say why).
 */
public interface MethodInput {
  FeatureProfile reference();

  FeatureProfile current();

  /** The bin counts of both sides, made once on first use; throws when they cannot be made. */
  Bins bins();

  /** The two-sample KS D, exact or with its error bound; null when not computed. */
  Estimate ks();

  /** The Wasserstein-1 distance of the finite values, exact or bounded; null when not computed. */
  Estimate wasserstein();

  /**
   * Every distinct value of both sides with its counts, when this run has them (fetched in exact
   * mode for a method that {@link DriftMethod.Reads#VALUES reads values}, or fixed by the
   * profiles alone); else null.
   */
  PooledValues values();

  /** Why a statistic that was asked for could not be computed, else null. */
  String failure();

  /** The configured PSI proportion floor ({@code psi-epsilon}). */
  double psiEpsilon();
}
