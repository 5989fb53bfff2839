package io.driftlake.drift.profile;

/**
 * A profile with some of its rows taken out ({@link NumericProfile#subtract},
 * {@link CategoricalProfile#subtract}): the profile of the remaining rows when every part of it
 * could be subtracted exactly, else null and why not ({@code stale}), so that the caller profiles
 * the feature again instead of keeping a silently wrong one.
 *
 * <p>Exact: row, null and NaN counts, every fine bin's count, every category count, the
 * numeric profile's min and max; a bin's min and max when the removed values lie strictly inside
 * them (or the bin holds one value), else they stay as bounds ({@link NumericProfile.Bin#minExact});
 * a bin's sum and sum of squares up to floating-point rounding (exact when every partial sum is
 * representable, e.g. integers below 2^53 / rows). Not subtractable: the feature's own min or
 * max that a removed value equalled when no copy of it is known to remain, a capped category
 * top-k (its "other" values and HLL sketch), which make the result stale. A KLL sketch cannot
 * subtract either: the result has none (a run that asks for one profiles again); an uncapped
 * categorical's HLL sketch is rebuilt from its exact counts.
 *
 * @param profile the remaining rows' profile, or null when {@code stale}
 * @param stale why the remaining rows' profile cannot be had from the two, or null
 */
public record Subtraction(FeatureProfile profile, String stale) {
  public Subtraction {
    if ((profile == null) == (stale == null)) {
      throw new IllegalArgumentException(
          "A subtraction has either a profile or a reason it is stale: " + profile + ", " + stale);
    }
  }

  public static Subtraction exact(FeatureProfile profile) {
    return new Subtraction(profile, null);
  }

  public static Subtraction stale(String why) {
    return new Subtraction(null, why);
  }

  public boolean exact() {
    return stale == null;
  }
}
