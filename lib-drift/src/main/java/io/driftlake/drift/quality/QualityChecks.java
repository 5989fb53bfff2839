package io.driftlake.drift.quality;

import io.driftlake.drift.api.CheckResult;
import io.driftlake.drift.feature.FeatureType;
import io.driftlake.drift.profile.CategoricalProfile;
import io.driftlake.drift.profile.FeatureProfile;
import io.driftlake.drift.profile.FineBins;
import io.driftlake.drift.profile.NumericProfile;
import io.driftlake.drift.profile.ProfileOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Data-quality and rule checks between a reference and a current selection, from their profiles
 * and schemas alone: pure, no Spark. Data problems are results (a failed or not-computable check),
 * never exceptions, and so is a rule for a column neither selection has; only a check that does
 * not fit the column's type is an error naming the key.
 *
 * <p>Results come in a fixed order: schema checks (removed, added, retyped columns, each in its
 * schema's order), then per compared feature {@code null_share_change} and either
 * {@code out_of_range_share} (numeric) or {@code new_categories} and {@code vanished_categories}
 * (categorical), then the configured rules.
 */
public final class QualityChecks {
  private QualityChecks() {}

  /**
   * @param referenceSchema column name → type name of the reference, in column order (the caller
   *     converts its engine's schema; every column it passes is checked, features or not)
   * @param currentSchema the same for the current selection
   * @param reference profiles of the compared features; {@code current} must have the same
   *     features with the same types
   */
  public static List<CheckResult> run(CheckSettings settings, Map<String, String> referenceSchema,
                                      Map<String, String> currentSchema,
                                      Map<String, FeatureProfile> reference,
                                      Map<String, FeatureProfile> current) {
    checkProfiles(reference, current);
    validate(settings, reference);
    List<CheckResult> results = new ArrayList<>(schema(settings.schema(), referenceSchema,
        currentSchema, reference.keySet()));
    // In the reference's column order, whatever order the profile maps iterate in; features the
    // schema does not list (callers without one) follow in name order.
    List<String> features = new ArrayList<>(referenceSchema.keySet().stream()
        .filter(reference::containsKey).toList());
    reference.keySet().stream().filter(f -> !referenceSchema.containsKey(f)).sorted()
        .forEach(features::add);
    for (String feature : features) {
      FeatureProfile r = reference.get(feature);
      FeatureProfile c = current.get(feature);
      results.add(nullShareChange(r, c, settings.limit(feature, Check.NULL_SHARE_CHANGE)));
      if (r instanceof NumericProfile ref && c instanceof NumericProfile cur) {
        results.add(outOfRange(ref, cur, settings.limit(feature, Check.OUT_OF_RANGE_SHARE),
            referenceSchema.getOrDefault(feature, "")));
      } else if (r instanceof CategoricalProfile ref && c instanceof CategoricalProfile cur) {
        results.add(newCategories(ref, cur, settings.limit(feature, Check.NEW_CATEGORIES)));
        results.add(vanishedCategories(ref, cur,
            settings.limit(feature, Check.VANISHED_CATEGORIES)));
      }
    }
    Set<String> columns = columns(referenceSchema, currentSchema, reference);
    for (CheckSettings.Rule rule : settings.rules()) {
      results.add(columns.contains(rule.feature())
          ? categoryShare(rule, reference.get(rule.feature()), current.get(rule.feature()))
          : notComputable(rule.check().id(), rule.feature(), rule.bound(), String.format(
              "no column '%s' in either selection (%s); columns: %s", rule.feature(),
              rule.key(), columns)));
    }
    return results;
  }

  static List<CheckResult> schema(boolean fails, Map<String, String> reference,
                                  Map<String, String> current, Set<String> compared) {
    List<CheckResult> results = new ArrayList<>();
    reference.forEach((column, type) -> {
      if (!current.containsKey(column)) {
        results.add(new CheckResult(Check.COLUMN_REMOVED.id(), column, null, null, fails,
            String.format("column '%s' (%s) is only in the reference", column, type)));
      }
    });
    current.forEach((column, type) -> {
      if (!reference.containsKey(column)) {
        results.add(new CheckResult(Check.COLUMN_ADDED.id(), column, null, null, fails,
            String.format("column '%s' (%s) is only in the current selection", column, type)));
      }
    });
    reference.forEach((column, type) -> {
      String other = current.get(column);
      if (other != null && !other.equals(type)) {
        results.add(new CheckResult(Check.COLUMN_RETYPED.id(), column, null, null, fails,
            String.format("column '%s' is %s in the reference but %s in the current selection; %s",
                column, type, other, compared.contains(column)
                    ? "still compared (same feature type)" : "not compared")));
      }
    });
    return results;
  }

  static CheckResult nullShareChange(FeatureProfile r, FeatureProfile c, double limit) {
    String id = Check.NULL_SHARE_CHANGE.id();
    if (r.rows() == 0 || c.rows() == 0) {
      return notComputable(id, r.feature(), limit,
          "the " + (r.rows() == 0 ? "reference" : "current") + " selection has no rows");
    }
    double change = c.nullShare() - r.nullShare();
    return new CheckResult(id, r.feature(), change, limit, Math.abs(change) > limit,
        String.format("null or NaN share %s in the reference (%d of %d rows), %s in the current "
                + "selection (%d of %d rows); fails when |change| > %s",
            Text.number(r.nullShare()), r.rows() - r.valid(), r.rows(),
            Text.number(c.nullShare()), c.rows() - c.valid(), c.rows(), Text.number(limit)));
  }

  static CheckResult outOfRange(NumericProfile r, NumericProfile c, double limit) {
    return outOfRange(r, c, limit, "");
  }

  /**
   * The out-of-range share; the detail gives the range of a {@code timestamp} column (values in
   * epoch seconds) as instants and of a {@code date} column (epoch days) as dates.
   */
  static CheckResult outOfRange(NumericProfile r, NumericProfile c, double limit, String type) {
    String id = Check.OUT_OF_RANGE_SHARE.id();
    if (r.valid() == 0) {
      return notComputable(id, r.feature(), limit,
          "the reference has no non-null values, so no range");
    }
    if (c.valid() == 0) {
      return notComputable(id, r.feature(), limit,
          "the current selection has no non-null values");
    }
    OutOfRange o = OutOfRange.of(r, c);
    String range = "[" + value(o.min(), type) + ", " + value(o.max(), type) + "]";
    String detail = o.exact()
        ? String.format("%d of %d current values outside the reference range %s", o.upper(),
            o.total(), range)
        : String.format("between %d and %d of %d current values outside the reference range %s "
                + "(share %s to %s): exact up to one fine bin at each end of the range, whose "
                + "values are all counted as outside", o.lower(), o.upper(), o.total(), range,
            Text.number((double) o.lower() / o.total()), Text.number(o.share()));
    return new CheckResult(id, r.feature(), o.share(), limit, o.share() > limit,
        detail + "; fails when share > " + Text.number(limit));
  }

  /** A numeric feature's value as its column's type shows it: an instant, a date or a number. */
  private static String value(double v, String type) {
    if (!Double.isFinite(v)) {
      return Text.number(v);
    }
    if (type.equals("timestamp") || type.equals("timestamp_ntz")) {
      double seconds = Math.floor(v);
      java.time.Instant at = java.time.Instant.ofEpochSecond((long) seconds,
          Math.round((v - seconds) * 1e6) * 1000);
      return type.equals("timestamp") ? at.toString()
          : java.time.LocalDateTime.ofInstant(at, java.time.ZoneOffset.UTC).toString();
    }
    if (type.equals("date")) {
      return java.time.LocalDate.ofEpochDay((long) v).toString();
    }
    return Text.number(v);
  }

  static CheckResult newCategories(CategoricalProfile r, CategoricalProfile c, double limit) {
    return categoryDifference(Check.NEW_CATEGORIES, c, r, limit,
        "categor%s the reference lacks", "no current category is new");
  }

  static CheckResult vanishedCategories(CategoricalProfile r, CategoricalProfile c, double limit) {
    return categoryDifference(Check.VANISHED_CATEGORIES, r, c, limit,
        "reference categor%s the current selection lacks", "no reference category vanished");
  }

  /**
   * Categories present in {@code in} and absent from {@code from}, counted in {@code in};
   * {@code what} has one %s for the ending of "category"/"categories".
   */
  private static CheckResult categoryDifference(Check check, CategoricalProfile in,
                                                CategoricalProfile from, double limit,
                                                String what, String none) {
    String feature = in.feature();
    if (in.valid() == 0 || from.valid() == 0) {
      boolean referenceEmpty = (check == Check.NEW_CATEGORIES ? from : in).valid() == 0;
      return notComputable(check.id(), feature, limit, "the "
          + (referenceEmpty ? "reference" : "current selection") + " has no non-null values");
    }
    String fromSide = check == Check.NEW_CATEGORIES ? "reference" : "current selection";
    int hidden = from.capped() || in.capped() ? hiddenCategories(in, from) : 0;
    String bucketDetail = String.format("%d of %d hash buckets hold %s values but no %s value "
        + "(capped profiles do not know every category)", hidden, CategoricalProfile.BUCKETS,
        check == Check.NEW_CATEGORIES ? "current" : "reference",
        check == Check.NEW_CATEGORIES ? "reference" : "current");
    if (from.capped() && hidden > limit) {
      return new CheckResult(check.id(), feature, (double) hidden, limit, true, String.format(
          "at least %d %s: %s; fails when more than %s", hidden,
          String.format(what, hidden == 1 ? "y" : "ies"), bucketDetail, Text.number(limit)));
    }
    if (from.capped()) {
      // A category missing from the kept ones may be among those folded into "other".
      return notComputable(check.id(), feature, limit, String.format(
          "the %s profile keeps only its %s (%d values folded into 'other'), so a category "
              + "missing from them may still be there; see %s",
          fromSide, mostFrequent(from), from.otherCount(), MAX_CATEGORIES_KEY));
    }
    Map<String, Long> only = new LinkedHashMap<>();
    in.counts().forEach((category, n) -> {
      if (n > 0 && from.counts().getOrDefault(category, 0L) == 0) {
        only.put(category, n);
      }
    });
    String detail = only.isEmpty() ? none
        : String.format("%d %s: %s", only.size(),
            String.format(what, only.size() == 1 ? "y" : "ies"), Text.counted(only));
    if (in.capped()) {
      // The categories folded into "other" are unknown: the count is a lower bound.
      String inSide = check == Check.NEW_CATEGORIES ? "current selection" : "reference";
      String folded = String.format("the %s profile keeps only its %s (%d values folded into "
          + "'other' are not compared)", inSide, mostFrequent(in), in.otherCount());
      if (hidden > only.size() && hidden > limit) {
        return new CheckResult(check.id(), feature, (double) hidden, limit, true, String.format(
            "at least %d %s: %s; fails when more than %s", hidden,
            String.format(what, hidden == 1 ? "y" : "ies"), bucketDetail, Text.number(limit)));
      }
      if (only.size() <= limit) {
        return notComputable(check.id(), feature, limit, String.format("at least %d, but %s; "
            + "see %s", only.size(), folded, MAX_CATEGORIES_KEY));
      }
      return new CheckResult(check.id(), feature, (double) only.size(), limit, true,
          "at least " + detail + "; " + folded + "; fails when more than " + Text.number(limit));
    }
    return new CheckResult(check.id(), feature, (double) only.size(), limit, only.size() > limit,
        detail + "; fails when more than " + Text.number(limit));
  }

  /**
   * Hash buckets with values of {@code in} and none of {@code from}: each holds at least one
   * category only {@code in} has, so this is a lower bound of their number (0 without buckets).
   */
  private static int hiddenCategories(CategoricalProfile in, CategoricalProfile from) {
    long[] a = in.bucketCounts();
    long[] b = from.bucketCounts();
    if (a == null || b == null) {
      return 0;
    }
    int hidden = 0;
    for (int i = 0; i < a.length; i++) {
      if (a[i] > 0 && b[i] == 0) {
        hidden++;
      }
    }
    return hidden;
  }

  private static String mostFrequent(CategoricalProfile p) {
    int kept = p.counts().size();
    return kept == 1 ? "most frequent category" : kept + " most frequent categories";
  }

  private static final String MAX_CATEGORIES_KEY = ProfileOptions.PATH + ".max-categories";

  static CheckResult categoryShare(CheckSettings.Rule rule, FeatureProfile r, FeatureProfile c) {
    String id = rule.check().id();
    String feature = rule.feature();
    double bound = rule.bound();
    String failsWhen = String.format("fails when share %s %s", rule.max() != null ? ">" : "<",
        Text.number(bound));
    if (r == null || c == null) {
      return notComputable(id, feature, bound, String.format(
          "column '%s' is not compared (it is not in both selections with one feature type)",
          feature));
    }
    if (c.valid() == 0) {
      return notComputable(id, feature, bound, "the current selection has no non-null values");
    }
    Long count = count(c, rule.category());
    if (count == null && c instanceof CategoricalProfile capped) {
      return notComputable(id, feature, bound, String.format(
          "'%s' is not among the %s the current profile keeps (%d values folded into 'other' "
              + "may hold it); see %s", rule.category(), mostFrequent(capped),
          capped.otherCount(), MAX_CATEGORIES_KEY));
    }
    if (count == null) {
      NumericProfile.Bin bin = ((NumericProfile) c).bins()
          .get(FineBins.key(Double.parseDouble(rule.category())));
      return notComputable(id, feature, bound, String.format(bin.exactExtremes()
          ? "value %s shares its fine bin with other current values (%s to %s), so its count is "
              + "not known exactly"
          : "value %s lies in a fine bin whose values lie between %s and %s (bounds kept after "
              + "rows were deleted), so its count is not known exactly", rule.category(),
          Text.number(bin.min()), Text.number(bin.max())));
    }
    double share = (double) count / c.valid();
    Long refCount = r.valid() == 0 ? null : count(r, rule.category());
    String reference = refCount == null ? "not known" : Text.number((double) refCount / r.valid());
    return new CheckResult(id, feature, share, bound, rule.breaks(share), String.format(
        "'%s': %d of %d current values (share %s; reference share %s); %s", rule.category(),
        count, c.valid(), Text.number(share), reference, failsWhen));
  }

  /**
   * How many values equal {@code category}: for categorical columns exact unless the profile is
   * capped and does not keep it (null: it may be folded into "other"); for numeric ones exact
   * when the value's fine bin is absent, excludes the value, or holds only it, else null.
   */
  private static Long count(FeatureProfile profile, String category) {
    if (profile instanceof CategoricalProfile p) {
      Long kept = p.counts().get(category);
      return kept != null ? kept : p.capped() && p.otherCount() > 0 ? null : 0L;
    }
    NumericProfile p = (NumericProfile) profile;
    double value = Double.parseDouble(category);
    NumericProfile.Bin bin = p.bins().get(FineBins.key(value));
    if (bin == null || value < bin.min() || value > bin.max()) {
      return 0L;
    }
    return bin.min() == bin.max() ? bin.count() : null;
  }

  private static CheckResult notComputable(String check, String feature, double limit,
                                           String why) {
    return new CheckResult(check, feature, null, limit, false, "not computable: " + why);
  }

  private static void checkProfiles(Map<String, FeatureProfile> reference,
                                    Map<String, FeatureProfile> current) {
    if (!reference.keySet().equals(current.keySet())) {
      Set<String> onlyReference = new TreeSet<>(reference.keySet());
      onlyReference.removeAll(current.keySet());
      Set<String> onlyCurrent = new TreeSet<>(current.keySet());
      onlyCurrent.removeAll(reference.keySet());
      throw new IllegalArgumentException(String.format(
          "Profiles must cover the same features: only in the reference %s, only in the current %s",
          onlyReference, onlyCurrent));
    }
    reference.forEach((feature, r) -> {
      if (r.type() != current.get(feature).type()) {
        throw new IllegalArgumentException(String.format(
            "Feature '%s' is profiled as %s in the reference but %s in the current selection",
            feature, r.type().id(), current.get(feature).type().id()));
      }
    });
  }

  /** Every column either selection has, the reference's first, in schema order. */
  private static Set<String> columns(Map<String, String> referenceSchema,
                                     Map<String, String> currentSchema,
                                     Map<String, FeatureProfile> profiles) {
    Set<String> columns = new LinkedHashSet<>(referenceSchema.keySet());
    columns.addAll(currentSchema.keySet());
    columns.addAll(profiles.keySet());
    return columns;
  }

  /**
   * Per-column limits and rules must fit the column's type when it is compared. One configuration
   * serves drift runs over several tables, so a limit or rule for a column that neither
   * selection has is no error: the limit does not apply, the rule is not computable.
   */
  private static void validate(CheckSettings settings, Map<String, FeatureProfile> profiles) {
    settings.features().forEach((feature, limits) -> {
      FeatureProfile profile = profiles.get(feature);
      limits.keySet().forEach(check -> {
        if (profile != null && !check.appliesTo(profile.type())) {
          throw new IllegalArgumentException(String.format(
              "%s: check '%s' does not apply to %s column '%s' (it applies to %s)",
              CheckSettings.featureKey(feature, CheckSettings.limitKey(check)), check.id(), profile.type().id(),
              feature, check.appliesTo().stream().map(FeatureType::id).sorted().toList()));
        }
      });
    });
    for (CheckSettings.Rule rule : settings.rules()) {
      FeatureProfile profile = profiles.get(rule.feature());
      if (profile != null && profile.type() == FeatureType.NUMERIC) {
        try {
          Double.parseDouble(rule.category());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(String.format(
              "%s.category: '%s' is not a number, and column '%s' is numeric", rule.key(),
              rule.category(), rule.feature()), e);
        }
      }
    }
  }
}
