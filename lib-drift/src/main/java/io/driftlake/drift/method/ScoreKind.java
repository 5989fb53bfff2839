package io.driftlake.drift.method;

/** What a method's score is: a distance between distributions or a test's p-value. */
public enum ScoreKind {
  DISTANCE,
  P_VALUE
}
