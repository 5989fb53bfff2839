package io.driftlake.jobs.registry;

import static org.apache.spark.sql.functions.col;

import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import java.sql.Timestamp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code model_aliases} table: every alias decision, appended, never updated. Why a log and not
 * an alias column updated with MERGE: the models stay immutable, a decision and its reason (gate
 * metric, both values, the evaluation data version) are kept even when nothing moved, and rollback
 * needs the champion history anyway. The current holder of an alias is the model of its row with
 * the highest {@code seq} ({@code null} = alias unset). The champion history replays as a stack:
 * a promotion pushes, a rollback pops, so rolling back twice goes two champions back. Decisions of
 * one job are one Delta commit; the lake has one writer at a time (the DAG), which keeps
 * {@code seq} increasing.
 */
public final class ModelAliases {
  public static final String CHAMPION = "champion";
  public static final String CHALLENGER = "challenger";

  /** Actions: the gate's two outcomes, an operator's override, a rollback. */
  public static final String PROMOTE = "promote";
  public static final String KEEP_CHALLENGER = "keep-challenger";
  public static final String MANUAL_PROMOTE = "manual-promote";
  public static final String ROLLBACK = "rollback";

  public static final StructType SCHEMA = new StructType()
      .add("seq", DataTypes.LongType, false)
      .add("alias", DataTypes.StringType, false)
      .add("model_id", DataTypes.StringType, true)
      .add("previous_model_id", DataTypes.StringType, true)
      .add("action", DataTypes.StringType, false)
      .add("reason", DataTypes.StringType, false)
      .add("metric", DataTypes.StringType, true)
      .add("margin", DataTypes.DoubleType, true)
      .add("model_value", DataTypes.DoubleType, true)
      .add("champion_value", DataTypes.DoubleType, true)
      .add("evaluation_table", DataTypes.StringType, true)
      .add("evaluation_version", DataTypes.LongType, true)
      .add("evaluation_split", DataTypes.StringType, true)
      .add("decided_at", DataTypes.TimestampType, false)
      .add("run_id", DataTypes.StringType, false);

  /**
   * One decision row. {@code modelValue}/{@code championValue}: the gate metric of the model the
   * decision is about and of the champion it was compared with, on {@code evaluation}.
   */
  public record Decision(long seq, String alias, String modelId, String previousModelId,
                         String action, String reason, String metric, Double margin,
                         Double modelValue, Double championValue, String evaluationTable,
                         Long evaluationVersion, String evaluationSplit, Timestamp decidedAt,
                         String runId) {
    Row toRow() {
      return RowFactory.create(seq, alias, modelId, previousModelId, action, reason, metric, margin,
          modelValue, championValue, evaluationTable, evaluationVersion, evaluationSplit, decidedAt,
          runId);
    }

    static Decision fromRow(Row r) {
      return new Decision(r.getAs("seq"), r.getAs("alias"), r.getAs("model_id"),
          r.getAs("previous_model_id"), r.getAs("action"), r.getAs("reason"), r.getAs("metric"),
          r.getAs("margin"), r.getAs("model_value"), r.getAs("champion_value"),
          r.getAs("evaluation_table"), r.getAs("evaluation_version"), r.getAs("evaluation_split"),
          r.getAs("decided_at"), r.getAs("run_id"));
    }

    public Optional<TableRef> evaluation() {
      return evaluationTable == null ? Optional.empty()
          : Optional.of(TableRef.parse(evaluationTable + "@" + evaluationVersion));
    }
  }

  private ModelAliases() {}

  /** Every decision, in order. */
  public static List<Decision> history(Lake lake) {
    String table = lake.settings().tables().modelAliases();
    if (!lake.exists(table)) {
      return List.of();
    }
    List<Decision> out = new ArrayList<>();
    for (Row r : lake.spark().read().format("delta").load(lake.path(table))
        .orderBy(col("seq")).collectAsList()) {
      out.add(Decision.fromRow(r));
    }
    return out;
  }

  /** The model an alias points at now. */
  public static Optional<String> current(List<Decision> history, String alias) {
    String holder = null;
    for (Decision d : history) {
      if (d.alias().equals(alias)) {
        holder = d.modelId();
      }
    }
    return Optional.ofNullable(holder);
  }

  /** Champions from the first to the current one, rollbacks undone (top = current). */
  public static Deque<String> championStack(List<Decision> history) {
    Deque<String> stack = new ArrayDeque<>();
    for (Decision d : history) {
      if (!d.alias().equals(CHAMPION)) {
        continue;
      }
      if (d.action().equals(ROLLBACK)) {
        stack.pop();
      } else {
        stack.push(d.modelId());
      }
    }
    return stack;
  }

  public static long nextSeq(List<Decision> history) {
    return history.isEmpty() ? 0 : history.get(history.size() - 1).seq() + 1;
  }

  /**
   * Appends the decisions of one job in one commit, only if no other decision took their
   * sequence number meanwhile: every commit carries the log's one transaction id with its first
   * sequence number, which Delta checks inside the commit. Two jobs that decided from the same
   * log (two racing promotes) cannot both land: the second writes nothing ({@code written} is
   * false) and decides again from the log as it is now.
   */
  public static Lake.Append append(Lake lake, List<Decision> decisions, String job,
                                   String runId) {
    return lake.append(lake.settings().tables().modelAliases(),
        lake.spark().createDataFrame(decisions.stream().map(Decision::toRow).toList(), SCHEMA),
        new CommitStamp(job, runId, null, SEQUENCE_KEY, decisions.get(0).seq()));
  }

  /** The transaction id whose version is the sequence number of the log's latest commit. */
  static final String SEQUENCE_KEY = "driftlake-model-aliases-sequence";

  /** Decisions a job makes again, at most, when other decisions keep landing before its own. */
  public static final int ATTEMPTS = 10;
}
