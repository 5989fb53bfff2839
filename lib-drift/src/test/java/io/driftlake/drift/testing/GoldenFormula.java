package io.driftlake.drift.testing;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The columns of the {@code numeric_formula} goldens, bit for bit as make_golden.py builds them
 * (the millions of values are not stored): for i = 0 … n−1, in longs,
 * x_i = (((num.a·i + num.c) mod num.p) + num.o) / (((den.a·i + den.c) mod den.p) + den.o), one
 * correctly rounded double division of two exactly converted integers; then the first "special"
 * rule with i mod every = at replaces x_i (null, NaN, ±∞).
 */
public final class GoldenFormula {
  private GoldenFormula() {}

  /** A column in memory: its non-null values in row order (NaN and ±∞ included), its nulls. */
  public record Values(double[] values, long nulls, long rows) {}

  private record Part(long a, long c, long p, long o) {
    static Part of(JsonNode part) {
      return new Part(part.get("a").asLong(), part.get("c").asLong(), part.get("p").asLong(),
          part.get("o").asLong());
    }

    long at(long i) {
      return (a * i + c) % p + o;
    }

    Column column(Column i) {
      return i.multiply(lit(a)).plus(lit(c)).mod(lit(p)).plus(lit(o));
    }
  }

  private record Special(long every, long at, JsonNode value) {}

  private static List<Special> specials(JsonNode spec) {
    List<Special> rules = new ArrayList<>();
    if (spec.has("special")) {
      for (JsonNode r : spec.get("special")) {
        rules.add(new Special(r.get("every").asLong(), r.get("at").asLong(), r.get("value")));
      }
    }
    return rules;
  }

  public static Values values(JsonNode spec) {
    long n = spec.get("n").asLong();
    Part num = Part.of(spec.get("num"));
    Part den = Part.of(spec.get("den"));
    List<Special> rules = specials(spec);
    double[] out = new double[Math.toIntExact(n)];
    int size = 0;
    long nulls = 0;
    for (long i = 0; i < n; i++) {
      double x = (double) num.at(i) / (double) den.at(i);
      boolean isNull = false;
      for (Special r : rules) {
        if (i % r.every() == r.at()) {
          isNull = r.value().isNull();
          x = isNull ? 0 : Golden.number(r.value());
          break;
        }
      }
      if (isNull) {
        nulls++;
      } else {
        out[size++] = x;
      }
    }
    return new Values(java.util.Arrays.copyOf(out, size), nulls, n);
  }

  /** The same column as a Spark selection "x", computed on the executors from spark.range. */
  public static Dataset<Row> dataset(SparkSession spark, JsonNode spec, int partitions) {
    Part num = Part.of(spec.get("num"));
    Part den = Part.of(spec.get("den"));
    Column id = col("id");
    Column x = num.column(id).cast("double").divide(den.column(id).cast("double"));
    List<Special> rules = specials(spec);
    if (!rules.isEmpty()) {
      Column chain = null;
      for (Special r : rules) {
        Column hit = id.mod(lit(r.every())).equalTo(lit(r.at()));
        Column value = r.value().isNull() ? lit(null).cast("double")
            : lit(Golden.number(r.value()));
        chain = chain == null ? when(hit, value) : chain.when(hit, value);
      }
      x = chain.otherwise(x);
    }
    return spark.range(0, spec.get("n").asLong(), 1, partitions).select(x.as("x"));
  }
}
