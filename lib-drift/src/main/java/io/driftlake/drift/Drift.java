package io.driftlake.drift;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.SkippedColumn;
import io.driftlake.drift.compare.FeatureComparator;
import io.driftlake.drift.config.DriftSettings;
import io.driftlake.drift.config.MultivariateSettings;
import io.driftlake.drift.feature.FeatureSpec;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.quality.CheckSettings;
import io.driftlake.drift.quality.QualityChecks;
import io.driftlake.drift.spark.DriftAnalysis;
import io.driftlake.drift.spark.FeatureSpecs;
import io.driftlake.drift.spark.multivariate.MultivariateAnalysis;
import io.driftlake.drift.store.MissingFiles;
import io.driftlake.drift.store.ProfileSource;
import io.driftlake.drift.store.ProfileStore;
import io.driftlake.drift.store.SelectionData;
import io.driftlake.drift.store.SelectionProfiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The library's entry point: drift between a reference and a current selection, with the
 * data-quality checks, in one call.
 *
 * <pre>{@code
 * DriftResult r = Drift.between(reference, current).run();          // two DataFrames
 * DriftResult v = Drift.between(store, version(path, 0), version(path, 1))
 *     .settings(config).features(List.of("age", "city")).run();     // two Delta versions
 * }</pre>
 *
 * <p>The compared features are the columns both sides share, typed from their schemas (numbers
 * numeric; strings and booleans categorical; timestamps and dates as numbers); the others are
 * listed as skipped with the reason. In exact mode, when a data file behind a side's stored
 * profiles is gone (VACUUM), the run falls back to approximate statistics from the profiles and
 * says so in {@link DriftResult#modeNote()}.
 *
 * @param <S> what a selection is: a DataFrame, or the store's selection type
 */
public final class Drift<S> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Drift.class);

  private final ProfileStore<S> store;
  private final S reference;
  private final S current;
  private DriftSettings settings;
  private Optional<List<String>> features = Optional.empty();
  private Map<String, String> excluded = Map.of();
  private Set<String> roles = Set.of();
  private String runId = UUID.randomUUID().toString();
  private MultivariateSettings multivariate;

  private Drift(ProfileStore<S> store, S reference, S current) {
    this.store = Objects.requireNonNull(store, "store");
    this.reference = Objects.requireNonNull(reference, "reference");
    this.current = Objects.requireNonNull(current, "current");
  }

  /** Drift between two DataFrames: both profiled in one Spark job, nothing stored. */
  public static Drift<Dataset<Row>> between(Dataset<Row> reference, Dataset<Row> current) {
    return new Drift<>(new DatasetStore(reference), reference, current);
  }

  /**
   * Drift between two selections of {@code store} (e.g. two Delta table versions of a
   * {@link io.driftlake.drift.store.DeltaVersionStore}): stored profiles are reused, new ones
   * saved to the store at the end of {@link #run}.
   */
  public static <S> Drift<S> between(ProfileStore<S> store, S reference, S current) {
    return new Drift<>(store, reference, current);
  }

  /** The drift settings to use; by default the library's {@code reference.conf}. */
  public Drift<S> settings(DriftSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /**
   * Settings read from {@code config} ({@code driftlake.drift.*} keys), the library's defaults
   * filling in every key it lacks.
   */
  public Drift<S> settings(Config config) {
    Config resolved = config.withFallback(ConfigFactory.load()).resolve();
    multivariate(MultivariateSettings.from(resolved));
    return settings(DriftSettings.from(resolved));
  }

  /**
   * The multivariate drift settings ({@code driftlake.drift.multivariate}); by default those of
   * {@link #settings(Config)}, else lib-drift's reference.conf (off).
   */
  public Drift<S> multivariate(MultivariateSettings settings) {
    this.multivariate = Objects.requireNonNull(settings, "multivariate");
    return this;
  }

  /**
   * Compares only these shared columns (the others are listed as skipped); by default every
   * shared column drift can compare.
   */
  public Drift<S> features(List<String> names) {
    this.features = Optional.of(List.copyOf(names));
    return this;
  }

  /**
   * Columns that are no features, each with the reason shown in the report (e.g. "role: key"):
   * they are listed as skipped, never compared.
   */
  public Drift<S> exclude(Map<String, String> columns) {
    this.excluded = new LinkedHashMap<>(columns);
    return this;
  }

  /**
   * Columns whose absence on one side is by design (a label, a prediction): the schema checks
   * ignore them.
   */
  public Drift<S> roles(Set<String> columns) {
    this.roles = Set.copyOf(columns);
    return this;
  }

  /** The run id new profiles are saved with; a random one by default. */
  public Drift<S> runId(String id) {
    this.runId = Objects.requireNonNull(id, "runId");
    return this;
  }

  /**
   * Profiles both sides (stored profiles first), compares them in the configured statistics
   * mode, runs the data-quality checks, and saves the new profiles to the store.
   */
  public DriftResult run() {
    DriftSettings asked = settings != null ? settings
        : DriftSettings.from(ConfigFactory.load());
    SelectionData refData = store.open(reference);
    SelectionData curData = store.open(current);
    String refName = store.describe(reference);
    String curName = store.describe(current);
    Plan plan = plan(refName, curName, refData.schema(), curData.schema(), excluded, asked);
    if (features.isPresent()) {
      plan = plan.only(features.get());
    }
    FeatureSpecs.Shared shared = plan.shared();
    DriftSettings used = plan.settings();
    DriftAnalysis analysis = new DriftAnalysis(used);
    SliceRun slices = new SliceRun(used, shared.features(), refData, curData);
    // DataFrames with slices: the whole data's profiles come from the sliced pass's own scan.
    List<SelectionProfiles> sides = store instanceof DatasetStore frames && slices.active()
        ? frames.scanned(List.of(refData.rows().orElseThrow(), curData.rows().orElseThrow()),
            slices.profile().stream().map(io.driftlake.drift.spark.SlicedProfiles::whole).toList())
        : store.profiles(List.of(reference, current), shared.features(), used.profile());
    Compared compared = compare(analysis, used.statisticsMode(), shared.features(), refName, curName, sides.get(0),
        sides.get(1), refData, curData);
    // Skipped columns, and what a timestamp's or a date's values are, in every result.
    DriftReport report = shared.annotate(compared.report());
    report = report.withMultivariate(MultivariateAnalysis.of(multivariate != null ? multivariate
        : MultivariateSettings.defaults(), report, compared.mode(), refData, curData));
    report = report.withSlices(slices.compare(compared.report().currentRows()));
    List<CheckResult> checks = checks(used.checks(), refData.schema(), curData.schema(), roles,
        compared.reference(), compared.current());
    DriftResult result = new DriftResult(report, checks, sides.get(0), sides.get(1), shared,
        used, compared.mode(), compared.note());
    store.save(runId);
    return result;
  }

  /**
   * What a drift of two selections compares: the shared feature columns (the others listed as
   * skipped, with their role or why), and the settings of those features alone.
   *
   * @param shared the compared features and the skipped columns
   * @param settings the settings with overrides of only the compared features
   */
  public record Plan(FeatureSpecs.Shared shared, DriftSettings settings) {
    /** This plan comparing only {@code names}; the other shared features listed as skipped. */
    Plan only(List<String> names) {
      List<String> known = shared.features().stream().map(FeatureSpec::name).toList();
      for (String name : names) {
        if (!known.contains(name)) {
          throw new IllegalArgumentException(String.format(
              "features: '%s' is no shared feature column; shared features: %s", name, known));
        }
      }
      List<SkippedColumn> skipped = new ArrayList<>(shared.skipped());
      shared.features().stream().filter(f -> !names.contains(f.name())).forEach(f -> skipped.add(
          new SkippedColumn(f.name(), f.type().id(), "not in the features asked for")));
      Map<String, String> values = new LinkedHashMap<>(shared.values());
      values.keySet().retainAll(names);
      FeatureSpecs.Shared kept = new FeatureSpecs.Shared(shared.features().stream()
          .filter(f -> names.contains(f.name())).toList(), shared.onlyInReference(),
          shared.onlyInCurrent(), skipped, values);
      return new Plan(kept, settings.onlyFeatures(names));
    }
  }

  /**
   * The plan of a drift of {@code reference} (schema {@code refSchema}) against {@code current}:
   * the columns of {@code excluded} (column → reason) and those whose feature type changed are
   * skipped; overrides in {@code settings} of columns not compared do not apply (logged).
   */
  public static Plan plan(String reference, String current, StructType refSchema,
                          StructType curSchema, Map<String, String> excluded,
                          DriftSettings settings) {
    // A column whose feature type changed is reported by the column_retyped check, not compared.
    Map<String, String> skipped = new LinkedHashMap<>(excluded);
    skipped.putAll(featureTypeChanged(refSchema, curSchema));
    FeatureSpecs.Shared shared = FeatureSpecs.shared(refSchema, curSchema, skipped);
    if (shared.features().isEmpty()) {
      throw new IllegalArgumentException(String.format(
          "No shared feature columns between %s and %s", reference, current));
    }
    // Overrides of columns this run does not compare (another table's, or removed, added or
    // retyped here: schema checks report those) do not apply to it.
    List<String> compared = shared.features().stream().map(FeatureSpec::name).toList();
    List<String> notCompared = settings.features().keySet().stream()
        .filter(name -> !compared.contains(name)).sorted().toList();
    if (!notCompared.isEmpty()) {
      LOG.warn("Drift {} vs {}: {}.features {} name no compared column; not applied", reference,
          current, DriftSettings.PATH, notCompared);
    }
    return new Plan(shared, settings.onlyFeatures(compared));
  }

  /**
   * The data-quality checks of a comparison (schema, nulls, ranges, categories); the columns of
   * {@code roles} are left out of the schema checks.
   */
  public static List<CheckResult> checks(CheckSettings settings, StructType refSchema,
                                         StructType curSchema, Set<String> roles,
                                         Map<String, FeatureProfile> reference,
                                         Map<String, FeatureProfile> current) {
    return QualityChecks.run(settings, columns(refSchema, roles), columns(curSchema, roles),
        reference, current);
  }

  /** Column name → Spark type name, in column order, without {@code roles}. */
  private static Map<String, String> columns(StructType schema, Set<String> roles) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (StructField f : schema.fields()) {
      if (!roles.contains(f.name())) {
        columns.put(f.name(), f.dataType().simpleString());
      }
    }
    return columns;
  }

  /**
   * Columns on both sides that drift does not compare alike (feature type, or the kind of values:
   * a timestamp is not a date), with the reason they are skipped.
   */
  private static Map<String, String> featureTypeChanged(StructType reference,
                                                        StructType current) {
    Map<String, String> changed = new LinkedHashMap<>();
    Set<String> names = new java.util.HashSet<>(List.of(current.fieldNames()));
    for (StructField f : reference.fields()) {
      if (names.contains(f.name()) && !FeatureSpecs.comparable(f.dataType(),
          current.apply(f.name()).dataType())) {
        changed.put(f.name(), String.format("retyped: %s in the reference, %s in the current "
            + "selection", f.dataType().simpleString(),
            current.apply(f.name()).dataType().simpleString()));
      }
    }
    return changed;
  }

  /** A comparison: its report, the profiles it compared, the mode used and why. */
  private record Compared(DriftReport report, Map<String, FeatureProfile> reference,
                          Map<String, FeatureProfile> current, DriftSettings.StatisticsMode mode,
                          String note) {}

  /**
   * Compares two sides' profiles in the settings' mode, reading their rows where exact
   * statistics need them. In exact mode a data file gone (VACUUM) behind a side with stored
   * profiles turns the run approximate, from the profiles, with a note; in approximate mode the
   * undecided features then stay unknown, with a note.
   */
  private static Compared compare(DriftAnalysis analysis, DriftSettings.StatisticsMode asked,
                                  List<FeatureSpec> features,
                                  String ref, String cur, SelectionProfiles refProfiles,
                                  SelectionProfiles curProfiles, SelectionData refSide,
                                  SelectionData curSide) {
    DriftSettings.StatisticsMode mode = asked;
    String note = "";
    DriftReport report = null;
    // What the methods and checks compare: in exact mode, every category of a capped feature.
    Map<String, FeatureProfile> refCompared = refProfiles.profiles();
    Map<String, FeatureProfile> curCompared = curProfiles.profiles();
    if (mode == DriftSettings.StatisticsMode.EXACT) {
      // Stored profiles outlive their data (VACUUM): drift still works, from the profiles.
      Optional<String> gone = refSide.gone().or(curSide::gone);
      if (gone.isEmpty()) {
        try {
          List<Map<String, FeatureProfile>> counted = analysis.exactCategories(
              refProfiles.profiles(), curProfiles.profiles(), features,
              refSide.rows().orElseThrow(), curSide.rows().orElseThrow());
          report = analysis.compareExact(counted.get(0), counted.get(1), features,
              refSide.rows().orElseThrow(), curSide.rows().orElseThrow());
          refCompared = counted.get(0);
          curCompared = counted.get(1);
        } catch (Exception e) { // Spark's SparkException is checked, but thrown from Scala
          gone = MissingFiles.of(e);
          if (gone.isEmpty() || (refProfiles.source() == ProfileSource.SCANNED
              && curProfiles.source() == ProfileSource.SCANNED)) {
            throw e;
          }
        }
      }
      if (report == null) {
        mode = DriftSettings.StatisticsMode.APPROXIMATE;
        note = String.format("exact mode asked, but a data file of %s or %s is gone (%s), "
            + "so KS, Wasserstein and numeric PSI/JS come from the stored profiles with their "
            + "error bounds", ref, cur, gone.get());
        LOG.warn("Drift {} vs {}: {}", ref, cur, note);
        report = analysis.compare(refProfiles.profiles(), curProfiles.profiles(), features);
      }
    } else {
      report = analysis.compare(refProfiles.profiles(), curProfiles.profiles(), features);
      if (mode == DriftSettings.StatisticsMode.PROFILES) {
        note = profilesOnlyNote(report);
      } else if (refSide.gone().isEmpty() && curSide.gone().isEmpty()) {
        // Features whose approximate interval straddles the threshold are settled exactly, from
        // their columns alone; with a side's files gone (VACUUM) they stay undecided (unknown).
        try {
          report = analysis.refineUndecided(report, refProfiles.profiles(),
              curProfiles.profiles(), features, refSide.rows().orElseThrow(),
              curSide.rows().orElseThrow());
        } catch (Exception e) { // Spark's SparkException is checked, but thrown from Scala
          Optional<String> gone = MissingFiles.of(e);
          if (gone.isEmpty()) {
            throw e;
          }
          note = "undecided features stay unknown: a data file of " + ref + " or " + cur
              + " is gone (" + gone.get() + ")";
          LOG.warn("Drift {} vs {}: {}", ref, cur, note);
        }
      }
    }
    return new Compared(report, refCompared, curCompared, mode, note);
  }

  /**
   * The note of a comparison from the profiles alone ({@code profiles} mode) when some verdict
   * stays unknown: its interval straddles the threshold and no data row is read to settle it.
   */
  public static String profilesOnlyNote(DriftReport report) {
    List<String> undecided = report.features().stream()
        .filter(FeatureComparator::undecided)
        .map(FeatureDrift::feature).sorted().toList();
    return undecided.isEmpty() ? "" : "undecided features stay unknown: mode profiles reads no "
        + "data row to settle their intervals " + undecided;
  }
}
