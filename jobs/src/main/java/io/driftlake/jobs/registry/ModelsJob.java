package io.driftlake.jobs.registry;

import io.driftlake.jobs.common.JobArgs;
import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.io.CommitStamp;
import io.driftlake.jobs.io.Lake;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;

/**
 * {@code models list | show | promote | rollback}. {@code promote} goes through the gate unless
 * {@code --skip-gate REASON} is given; whether the model was promoted is DATA (a row in
 * {@code model_aliases} and the printed decision), never the exit code, so a DAG can run
 * train → evaluate → promote and branch on the table.
 */
public final class ModelsJob {
  private static final Map<String, Set<String>> COMMANDS = Map.of(
      "list", Set.of(),
      "show", Set.of("model"),
      "promote", Set.of("model", "evaluation", "skip-gate", "run-id"),
      "rollback", Set.of("reason", "run-id"));

  private ModelsJob() {}

  public static void main(String[] args) {
    JobMain.run("models", args, ModelsJob::execute);
  }

  static int execute(String[] args) throws Exception {
    JobArgs.Command command = JobArgs.parseCommand("models", args, COMMANDS);
    JobArgs a = command.args();
    JobSettings settings = JobSettings.load(a.option("config"));
    String runId = a.option("run-id").orElseGet(CommitStamp::newRunId);
    try (SparkSession spark = Sparks.session(settings, "models")) {
      Lake lake = new Lake(spark, settings);
      switch (command.name()) {
        case "list" -> System.out.print(list(lake));
        case "show" -> System.out.print(show(lake, Registry.model(lake, a.required("model"))));
        case "promote" -> {
          Model model = Registry.model(lake, a.required("model"));
          if (a.option("skip-gate").isPresent()) {
            if (a.option("evaluation").isPresent()) {
              throw new IllegalArgumentException(
                  "Job 'models promote': --evaluation and --skip-gate exclude each other");
            }
            ModelAliases.Decision d = Promotions.promote(lake, model, a.required("skip-gate"), runId);
            System.out.printf("promote: model %s is champion (was %s) without the gate: %s%n",
                model.modelId(), d.previousModelId(), d.reason());
          } else {
            System.out.println(Promotions.gate(lake, model,
                a.option("evaluation").map(TableRef::parse), runId).summary());
          }
        }
        case "rollback" -> {
          ModelAliases.Decision d = Promotions.rollback(lake,
              a.option("reason").orElse("manual rollback"), runId);
          System.out.printf("rollback: champion is %s again (was %s): %s%n", d.modelId(),
              d.previousModelId(), d.reason());
        }
        default -> throw new IllegalStateException(command.name());
      }
    }
    return 0;
  }

  /** One line per model, oldest first, with its status and gate metric, then the decisions. */
  public static String list(Lake lake) {
    List<Model> models = Models.all(lake);
    List<ModelAliases.Decision> history = ModelAliases.history(lake);
    String metric = lake.settings().gate().metric().id();
    StringBuilder s = new StringBuilder();
    String format = "%-24s %-19s %-11s %-20s %-12s %-10s %s%n";
    s.append(String.format(Locale.ROOT, format, "model", "created (UTC)", "status", "algorithm",
        "trained on", metric + "*", "triggered by"));
    for (Model m : models) {
      s.append(String.format(Locale.ROOT, format, m.modelId(),
          m.createdAt().toInstant().toString().substring(0, 19).replace('T', ' '),
          Registry.status(m.modelId(), history), m.algorithm(),
          m.trainingTable() + "@" + m.trainingVersion(),
          m.metric(metric).map(v -> String.format(Locale.ROOT, "%.4f", v)).orElse("-"),
          m.triggeredBy()));
    }
    s.append("* on the model's own held-out rows, at training\n");
    if (!history.isEmpty()) {
      s.append("decisions:\n");
      for (ModelAliases.Decision d : history) {
        s.append(String.format(Locale.ROOT, "  #%d %-10s %-15s %s -> %s: %s%n", d.seq(), d.alias(),
            d.action(), d.previousModelId() == null ? "-" : d.previousModelId(),
            d.modelId() == null ? "-" : d.modelId(), d.reason()));
      }
    }
    return s.toString();
  }

  public static String show(Lake lake, Model m) {
    List<ModelAliases.Decision> history = ModelAliases.history(lake);
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "model %s (%s)%n", m.modelId(),
        Registry.status(m.modelId(), history)));
    s.append(String.format("  task %s, algorithm %s, params %s, seed %d%n", m.task().id(),
        m.algorithm(), m.params(), m.seed()));
    s.append(String.format("  search %s%n", m.search()));
    s.append(String.format("  trained on %s@%d, label '%s', features %s%n", m.trainingTable(),
        m.trainingVersion(), m.label(), m.featureSchema().stream()
            .map(f -> f.name() + ":" + f.dataType()).collect(Collectors.joining(", ", "[", "]"))));
    s.append(String.format(Locale.ROOT, "  rows: %d train, %d held out (%.2f by key hash), %d "
        + "unlabelled%n", m.trainRows(), m.testRows(), m.testFraction(), m.unlabelledRows()));
    s.append(String.format("  held-out metrics %s%n", m.metrics()));
    s.append(String.format("  artifact %s%n  created %s by run %s, triggered by %s%n",
        m.artifactPath(), m.createdAt(), m.runId(), m.triggeredBy()));
    for (ModelAliases.Decision d : history) {
      if (m.modelId().equals(d.modelId()) || m.modelId().equals(d.previousModelId())) {
        s.append(String.format("  decision #%d %s %s (%s -> %s) at %s by run %s: %s%n", d.seq(),
            d.alias(), d.action(), d.previousModelId(), d.modelId(), d.decidedAt(), d.runId(),
            d.reason()));
      }
    }
    return s.toString();
  }
}
