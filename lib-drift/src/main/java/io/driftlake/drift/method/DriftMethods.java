package io.driftlake.drift.method;

import static io.driftlake.drift.feature.FeatureType.CATEGORICAL;
import static io.driftlake.drift.feature.FeatureType.NUMERIC;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The registry of drift methods, looked up by stable id. */
public final class DriftMethods {
  public static final DriftMethod PSI = new DriftMethod(
      "psi", Set.of(NUMERIC, CATEGORICAL), ScoreKind.DISTANCE, Direction.HIGHER_IS_DRIFT, 0.2);
  public static final DriftMethod KS = new DriftMethod(
      "ks", Set.of(NUMERIC), ScoreKind.P_VALUE, Direction.LOWER_IS_DRIFT, 0.05);
  public static final DriftMethod JS = new DriftMethod(
      "js", Set.of(NUMERIC, CATEGORICAL), ScoreKind.DISTANCE, Direction.HIGHER_IS_DRIFT, 0.1);

  /** Wasserstein-1 distance divided by the reference's standard deviation (population, ddof 0). */
  public static final DriftMethod WASSERSTEIN = new DriftMethod(
      "wasserstein", Set.of(NUMERIC), ScoreKind.DISTANCE, Direction.HIGHER_IS_DRIFT, 0.1);
  /** Chi-square test of homogeneity on the 2×K table of category counts, no continuity correction. */
  public static final DriftMethod CHI2 = new DriftMethod(
      "chi2", Set.of(CATEGORICAL), ScoreKind.P_VALUE, Direction.LOWER_IS_DRIFT, 0.05);
  /** Total variation distance: half the L1 distance between the category shares. */
  public static final DriftMethod TVD = new DriftMethod(
      "tvd", Set.of(CATEGORICAL), ScoreKind.DISTANCE, Direction.HIGHER_IS_DRIFT, 0.1);
  /** L-infinity distance: the largest change of any one category's share. */
  public static final DriftMethod LINF = new DriftMethod(
      "linf", Set.of(CATEGORICAL), ScoreKind.DISTANCE, Direction.HIGHER_IS_DRIFT, 0.1);

  private static final Map<String, DriftMethod> BY_ID =
      index(List.of(PSI, KS, JS, WASSERSTEIN, CHI2, TVD, LINF));

  private DriftMethods() {}

  public static DriftMethod byId(String id) {
    DriftMethod method = BY_ID.get(id);
    if (method == null) {
      throw new IllegalArgumentException(
          String.format("Unknown drift method '%s'; known methods: %s", id, BY_ID.keySet()));
    }
    return method;
  }

  public static List<DriftMethod> all() {
    return List.copyOf(BY_ID.values());
  }

  private static Map<String, DriftMethod> index(List<DriftMethod> methods) {
    Map<String, DriftMethod> byId = new LinkedHashMap<>();
    methods.forEach(m -> byId.put(m.id(), m));
    return byId;
  }
}
