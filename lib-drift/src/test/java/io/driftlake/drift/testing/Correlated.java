package io.driftlake.drift.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows whose features are related: x and y standard normal with correlation rho, w standard
 * normal on its own (null in every tenth row), a categorical channel. {@link #reordered} keeps
 * every column's values (so every marginal is exactly the reference's) but pairs y with x at
 * another correlation: only the relation between x and y changes.
 */
public final class Correlated {
  public static final StructType SCHEMA = new StructType().add("x", DataTypes.DoubleType)
      .add("y", DataTypes.DoubleType).add("w", DataTypes.DoubleType)
      .add("channel", DataTypes.StringType);
  private static final String[] CHANNELS = {"web", "store", "phone"};

  private Correlated() {}

  /** {@code n} rows with corr(x, y) = rho, drawn from {@code seed}. */
  public static List<Row> rows(int n, double rho, long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double x = random.nextGaussian();
      double y = rho * x + Math.sqrt(1 - rho * rho) * random.nextGaussian();
      double w = random.nextGaussian();
      rows.add(RowFactory.create(x, y, i % 10 == 0 ? null : w,
          CHANNELS[random.nextInt(CHANNELS.length)]));
    }
    return rows;
  }

  /**
   * The rows of {@code reference} with y's values re-paired so that y ranks as
   * rho·x + √(1 − rho²)·z does (z standard normal from {@code seed}): every column holds exactly
   * the reference's values, and corr(x, y) is about rho.
   */
  public static List<Row> reordered(List<Row> reference, double rho, long seed) {
    Random random = new Random(seed);
    int n = reference.size();
    double[] ys = reference.stream().mapToDouble(r -> r.getDouble(1)).sorted().toArray();
    double[] target = new double[n];
    for (int i = 0; i < n; i++) {
      target[i] = rho * reference.get(i).getDouble(0)
          + Math.sqrt(1 - rho * rho) * random.nextGaussian();
    }
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingDouble(i -> target[i]));
    double[] y = new double[n];
    for (int rank = 0; rank < n; rank++) {
      y[order[rank]] = ys[rank];
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Row r = reference.get(i);
      rows.add(RowFactory.create(r.get(0), y[i], r.get(2), r.get(3)));
    }
    return rows;
  }
}
