package io.driftlake.jobs.models;

import io.driftlake.jobs.common.JobMain;
import io.driftlake.jobs.common.JobOptions;
import io.driftlake.jobs.common.JobSettings;
import io.driftlake.jobs.common.Sparks;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.common.UsageException;
import io.driftlake.jobs.lake.CommitStamp;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.jobs.ml.ModelMetric;
import io.driftlake.jobs.registry.Model;
import io.driftlake.jobs.registry.ModelAliases;
import io.driftlake.jobs.registry.Models;
import io.driftlake.jobs.registry.Registry;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code models list | show | promote | rollback}. {@code promote} goes through the gate unless
 * {@code --skip-gate REASON} is given; whether the model was promoted is DATA (a row in
 * {@code model_aliases} and the printed decision), never the exit code, so a DAG can run
 * train → evaluate → promote and branch on the table.
 */
@Command(name = "models", sortOptions = false,
    description = "The model registry: list, show, promote (through the gate), rollback.",
    subcommands = {ModelsJob.ListModels.class, ModelsJob.Show.class, ModelsJob.Promote.class,
        ModelsJob.Rollback.class})
public final class ModelsJob implements Callable<Integer> {
  /** Options given before the command ({@code models --config FILE list}) count too. */
  @Mixin private JobOptions options;

  private ModelsJob() {}

  public static void main(String[] args) {
    JobMain.run(new ModelsJob(), args);
  }

  /** {@code models} without a command. */
  @Override
  public Integer call() {
    throw new UsageException("missing command: list, show, promote or rollback");
  }

  /** What a command does with the lake; the SparkSession is opened and closed around it. */
  private Integer inLake(JobOptions own, Function<Lake, String> command) throws Exception {
    JobSettings settings = JobSettings.load(own.config().or(options::config));
    try (SparkSession spark = Sparks.session(settings, "models")) {
      System.out.print(command.apply(new Lake(spark, settings)));
    }
    return 0;
  }

  private static final String RUN_ID_HELP = "Run id recorded with the decision (default: a new "
      + "one); a rerun with the same id decides nothing twice.";

  @Command(name = "list", description = "One line per model, oldest first, then the decisions.")
  static final class ListModels implements Callable<Integer> {
    @ParentCommand private ModelsJob parent;
    @Mixin private JobOptions options;

    @Override
    public Integer call() throws Exception {
      return parent.inLake(options, ModelsJob::list);
    }
  }

  @Command(name = "show", description = "A model's parameters, data, metrics and decisions.")
  static final class Show implements Callable<Integer> {
    @ParentCommand private ModelsJob parent;
    @Mixin private JobOptions options;

    @Option(names = "--model", paramLabel = "SEL", required = true,
        description = "Model: an id, champion, previous or latest.")
    private String model;

    @Override
    public Integer call() throws Exception {
      return parent.inLake(options, lake -> show(lake, Registry.model(lake, model)));
    }
  }

  @Command(name = "promote", sortOptions = false, description = "Makes a model champion when "
      + "it passes the gate against the champion (or, with --skip-gate, without it).")
  static final class Promote implements Callable<Integer> {
    @ParentCommand private ModelsJob parent;
    @Mixin private JobOptions options;

    @Option(names = "--model", paramLabel = "SEL", required = true,
        description = "Model: an id, champion, previous or latest.")
    private String model;

    @Option(names = "--evaluation", paramLabel = "REF",
        description = "Data both models are evaluated on for the gate (default: the challenger's "
            + "held-out rows).")
    private String evaluation;

    @Option(names = "--skip-gate", paramLabel = "REASON",
        description = "Promote without the gate; the reason is recorded.")
    private String skipGate;

    @Option(names = "--run-id", paramLabel = "ID", description = RUN_ID_HELP)
    private String runId;

    @Override
    public Integer call() throws Exception {
      if (skipGate != null && evaluation != null) {
        throw new UsageException("--evaluation and --skip-gate exclude each other");
      }
      String run = Optional.ofNullable(runId).orElseGet(CommitStamp::newRunId);
      return parent.inLake(options, lake -> {
        Model m = Registry.model(lake, model);
        if (skipGate == null) {
          return Promotions.gate(lake, m, Optional.ofNullable(evaluation).map(TableRef::parse),
              run).summary() + System.lineSeparator();
        }
        ModelAliases.Decision d = Promotions.promote(lake, m, skipGate, run);
        return String.format("promote: model %s is champion (was %s) without the gate: %s%n",
            m.modelId(), d.previousModelId(), d.reason());
      });
    }
  }

  @Command(name = "rollback", sortOptions = false,
      description = "Makes the previous champion champion again.")
  static final class Rollback implements Callable<Integer> {
    @ParentCommand private ModelsJob parent;
    @Mixin private JobOptions options;

    @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "manual rollback",
        description = "Recorded with the decision (default: ${DEFAULT-VALUE}).")
    private String reason;

    @Option(names = "--run-id", paramLabel = "ID", description = RUN_ID_HELP)
    private String runId;

    @Override
    public Integer call() throws Exception {
      String run = Optional.ofNullable(runId).orElseGet(CommitStamp::newRunId);
      return parent.inLake(options, lake -> {
        ModelAliases.Decision d = Promotions.rollback(lake, reason, run);
        return String.format("rollback: champion is %s again (was %s): %s%n", d.modelId(),
            d.previousModelId(), d.reason());
      });
    }
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
    s.append(String.format("  held-out metrics: %s%n", ModelMetric.listed(m.metrics())));
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
