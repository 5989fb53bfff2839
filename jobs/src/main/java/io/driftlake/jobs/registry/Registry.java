package io.driftlake.jobs.registry;

import io.driftlake.jobs.lake.Lake;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The registry as people and jobs see it: models by selector, and each model's status derived
 * from the alias log (see {@link ModelAliases} for why status is derived, not stored).
 *
 * <p>Selectors: a model id, {@code latest} (most recently created), {@code champion},
 * {@code challenger}, or {@code run:RUN_ID} (the model that run trained; what a DAG passes from
 * train to evaluate to promote).
 */
public final class Registry {
  public static final String CHAMPION = ModelAliases.CHAMPION;
  public static final String CHALLENGER = ModelAliases.CHALLENGER;
  /** Status of a model that was champion and was replaced by a promotion. */
  public static final String RETIRED = "retired";
  /** Status of a model removed from champion by a rollback. */
  public static final String ROLLED_BACK = "rolled-back";
  /** Status of a model the gate kept as challenger and that a newer challenger replaced. */
  public static final String REJECTED = "rejected";
  /** Status of a model no decision has been made about. */
  public static final String REGISTERED = "registered";

  private Registry() {}

  public static Model model(Lake lake, String selector) {
    String table = lake.settings().tables().models();
    switch (selector) {
      case "latest":
        return Models.latest(lake).orElseThrow(() -> new IllegalArgumentException(
            "No model in table '" + table + "' yet"));
      case CHAMPION:
      case CHALLENGER:
        String id = ModelAliases.current(ModelAliases.history(lake), selector)
            .orElseThrow(() -> new IllegalArgumentException(String.format(
                "No model is %s yet (table '%s')", selector,
                lake.settings().tables().modelAliases())));
        return byId(lake, id);
      default:
        if (selector.startsWith("run:")) {
          String run = selector.substring(4);
          return Models.byRun(lake, run).orElseThrow(() -> new IllegalArgumentException(
              String.format("No model trained by run '%s' in table '%s'", run, table)));
        }
        return byId(lake, selector);
    }
  }

  /** The champion if there is one, else the latest model. */
  public static Optional<Model> championOrLatest(Lake lake) {
    Optional<String> champion = ModelAliases.current(ModelAliases.history(lake), CHAMPION);
    return champion.isPresent() ? Optional.of(byId(lake, champion.get())) : Models.latest(lake);
  }

  private static Model byId(Lake lake, String id) {
    String table = lake.settings().tables().models();
    if (!lake.exists(table)) {
      throw new IllegalArgumentException(String.format(
          "Unknown model '%s': table '%s' does not exist", id, table));
    }
    return Models.byId(lake, id).orElseThrow(() -> new IllegalArgumentException(
        String.format("Unknown model '%s' in table '%s'", id, table)));
  }

  /** A model's status now: champion, challenger, retired, rolled-back, rejected or registered. */
  public static String status(String modelId, List<ModelAliases.Decision> history) {
    if (ModelAliases.current(history, CHAMPION).filter(modelId::equals).isPresent()) {
      return CHAMPION;
    }
    if (ModelAliases.current(history, CHALLENGER).filter(modelId::equals).isPresent()) {
      return CHALLENGER;
    }
    String status = REGISTERED;
    for (ModelAliases.Decision d : history) {
      if (d.alias().equals(CHAMPION) && d.action().equals(ModelAliases.ROLLBACK)
          && modelId.equals(d.previousModelId())) {
        status = ROLLED_BACK;
      } else if (d.alias().equals(CHAMPION) && modelId.equals(d.previousModelId())) {
        status = RETIRED;
      } else if (d.alias().equals(CHALLENGER) && modelId.equals(d.modelId())) {
        status = REJECTED;
      }
    }
    return status;
  }

  /** Champions from the first to the current one, rollbacks undone (first = current). */
  public static Deque<String> championStack(Lake lake) {
    return ModelAliases.championStack(ModelAliases.history(lake));
  }
}
