package io.driftlake.drift.api;

import java.util.List;

/**
 * The drift of every slice of a run ({@code driftlake.drift.slices}), ranked by how much each
 * drives the dataset's drift ({@link SliceDrift#impact()}), and the slices that could not be
 * compared, each with the reason (never dropped silently).
 *
 * @param ranked the compared slices, most impact first
 * @param skipped the slice specs (or slices) not compared, and why
 */
public record Slices(List<SliceDrift> ranked, List<SkippedSlice> skipped) {
  public Slices {
    ranked = List.copyOf(ranked);
    skipped = List.copyOf(skipped);
  }

  /** No slices configured. */
  public static Slices none() {
    return new Slices(List.of(), List.of());
  }

  /** Every spec of {@code specs} skipped for the same {@code reason}. */
  public static Slices skipped(List<String> specs, String reason) {
    return new Slices(List.of(), specs.stream().map(s -> new SkippedSlice(s, reason)).toList());
  }

  /** Whether slices were configured at all (compared or skipped). */
  public boolean isEmpty() {
    return ranked.isEmpty() && skipped.isEmpty();
  }

  /** A slice spec, or one slice of it, that was not compared, and why. */
  public record SkippedSlice(String spec, String reason) {}
}
