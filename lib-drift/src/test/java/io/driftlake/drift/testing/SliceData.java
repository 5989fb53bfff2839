package io.driftlake.drift.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows for slice-drift tests: a {@code channel} (web, app, store in turn), two standard normal
 * features {@code x} and {@code y}, and an {@code age} uniform over 18..70; a shift is added to
 * {@code x} of the app rows only.
 */
public final class SliceData {
  public static final StructType SCHEMA = new StructType()
      .add("channel", DataTypes.StringType).add("x", DataTypes.DoubleType)
      .add("y", DataTypes.DoubleType).add("age", DataTypes.IntegerType);
  private static final String[] CHANNELS = {"web", "app", "store"};

  private SliceData() {}

  /** {@code n} rows from {@code seed}; {@code shift} is added to x of the app rows only. */
  public static List<Row> rows(long seed, int n, double shift) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String channel = CHANNELS[i % 3];
      double x = random.nextGaussian() + (channel.equals("app") ? shift : 0);
      rows.add(RowFactory.create(channel, x, random.nextGaussian(), 18 + random.nextInt(53)));
    }
    return rows;
  }

  /** The sorted values of column {@code at} (x 1, y 2) of the rows in the slice named. */
  public static double[] values(List<Row> rows, String slice, int at) {
    return rows.stream().filter(r -> in(r, slice)).mapToDouble(r -> r.getDouble(at)).sorted()
        .toArray();
  }

  /** Whether a row is in the slice named (a {@code channel = v} slice, {@code age > 60}, or "all"). */
  public static boolean in(Row r, String slice) {
    return switch (slice) {
      case "all" -> true;
      case "age > 60" -> r.getInt(3) > 60;
      default -> ("channel = " + r.getString(0)).equals(slice);
    };
  }
}
