package io.driftlake.jobs.lake;

import java.util.List;
import java.util.OptionalLong;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.actions.Action;
import scala.Option;

/** A table's commits read from the Delta log's commit files, with no Spark job. */
final class CommitLog {
  private final Lake lake;

  CommitLog(Lake lake) {
    this.lake = lake;
  }

  /**
   * The actions of each commit from {@code from} to {@code to}, in order, read from the log's
   * commit files ({@code DeltaLog.getChanges}); empty when the log no longer holds every one.
   */
  java.util.Optional<List<List<Action>>> actions(String table, long from, long to) {
    scala.collection.Iterator<scala.Tuple2<Object, scala.collection.immutable.Seq<Action>>> log;
    try {
      log = DeltaLog.forTable(lake.spark(), lake.path(table))
          .getChanges(from, to, Option.empty(), true);
    } catch (RuntimeException e) {
      return java.util.Optional.empty(); // log cleaned up
    }
    List<List<Action>> commits = new java.util.ArrayList<>();
    long expected = from;
    while (log.hasNext()) {
      scala.Tuple2<Object, scala.collection.immutable.Seq<Action>> commit = log.next();
      if ((Long) commit._1() != expected++) {
        return java.util.Optional.empty();
      }
      commits.add(scala.jdk.javaapi.CollectionConverters.asJava(commit._2()));
    }
    return expected == to + 1 ? java.util.Optional.of(commits) : java.util.Optional.empty();
  }

  /** "version N (operation, {userMetadata})" of the table's latest commit. */
  String describeLatest(String table) {
    OptionalLong latest = lake.latestVersion(table);
    if (latest.isEmpty()) {
      return "none (the table does not exist)";
    }
    long v = latest.getAsLong();
    var changes = DeltaLog.forTable(lake.spark(), lake.path(table))
        .getChanges(v, v, Option.empty(), false);
    while (changes.hasNext()) {
      for (Action action : scala.jdk.javaapi.CollectionConverters.asJava(changes.next()._2())) {
        if (action instanceof org.apache.spark.sql.delta.actions.CommitInfo info) {
          return String.format("version %d (%s%s)", v, info.operation(),
              info.userMetadata().isDefined() ? ", " + info.userMetadata().get() : "");
        }
      }
    }
    return "version " + v;
  }

  /**
   * The first version from {@code from} on whose commit carries {@code token} in its user
   * metadata, or (with a null token) records the transaction {@code appId}. Read from the log's
   * commit files (no Spark job); entries cleaned up from the log are not seen.
   */
  OptionalLong versionOf(String table, long from, String token, String appId) {
    OptionalLong latest = lake.latestVersion(table);
    if (latest.isEmpty() || from > latest.getAsLong()) {
      return OptionalLong.empty();
    }
    var changes = DeltaLog.forTable(lake.spark(), lake.path(table))
        .getChanges(from, latest.getAsLong(), Option.empty(), false);
    while (changes.hasNext()) {
      scala.Tuple2<Object, scala.collection.immutable.Seq<Action>> commit = changes.next();
      for (Action action : scala.jdk.javaapi.CollectionConverters.asJava(commit._2())) {
        if (token != null && action instanceof org.apache.spark.sql.delta.actions.CommitInfo info
            && info.userMetadata().isDefined()
            && info.userMetadata().get().contains("\"commit\":\"" + token + "\"")) {
          return OptionalLong.of((Long) commit._1());
        }
        if (appId != null && action instanceof org.apache.spark.sql.delta.actions.SetTransaction txn
            && txn.appId().equals(appId)) {
          return OptionalLong.of((Long) commit._1());
        }
      }
    }
    return OptionalLong.empty();
  }
}
