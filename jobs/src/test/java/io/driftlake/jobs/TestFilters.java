package io.driftlake.jobs;

import static io.driftlake.jobs.TestDriftAndTrainJobs.tiny;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.driftlake.drift.testing.LocalSpark;
import io.driftlake.jobs.common.TableRef;
import io.driftlake.jobs.drift.DriftJob;
import io.driftlake.jobs.drift.DriftRun;
import io.driftlake.jobs.ingest.IngestJob;
import io.driftlake.jobs.lake.Lake;
import io.driftlake.drift.spark.Predicates;
import io.driftlake.jobs.profile.ProfileJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * User filters on real Delta tables: the attacks a pasted-in predicate allowed (reading any file
 * through a subquery, reflection, UDFs) are refused with one line naming the refused part before
 * any Spark job runs, and nothing is written; ordinary filters still select their rows.
 */
@ExtendWith(LocalSpark.class)
class TestFilters {
  private static final String COLUMNS = "columns: [customer_id, x, colour, defaulted]";

  /** Table t: version 0 = 20 rows, x = 0..19, colour r/g; version 1 adds 10, x = 20..29, b. */
  private static Lake lake(SparkSession spark, Path dir) {
    Lake lake = TestLakes.lake(dir);
    IngestJob.ingest(lake, "t", tiny(spark, IntStream.range(0, 20).asDoubleStream().toArray(),
        IntStream.range(0, 20).mapToObj(i -> i % 2 == 0 ? "r" : "g").toArray(String[]::new)),
        "b0", "run");
    IngestJob.ingest(lake, "t", tiny(spark, IntStream.range(20, 30).asDoubleStream().toArray(),
        IntStream.range(0, 10).mapToObj(i -> "b").toArray(String[]::new)), "b1", "run");
    return lake;
  }

  private static Map<String, OptionalLong> outputs(Lake lake) {
    return Map.of("drift_results", lake.latestVersion("drift_results"),
        "drift_checks", lake.latestVersion("drift_checks"),
        "profiles", lake.latestVersion("profiles"));
  }

  @Test
  void attacksAreRefusedBeforeAnyJobRunsAndWriteNothing(SparkSession spark, @TempDir Path dir)
      throws Exception {
    Lake lake = lake(spark, dir);
    Path secret = dir.resolve("secret.txt");
    Files.writeString(secret, "s3cr3t\n");
    spark.read().text(secret.toString()).write().parquet(dir.resolve("secret").toString());
    spark.udf().register("leak", (UDF1<Double, Double>) v -> v, DataTypes.DoubleType);
    // One good run first: the outputs exist, and refused runs must leave them as they are.
    DriftJob.run(lake, Optional.of(TableRef.parse("t@0")),
        Optional.of(TableRef.parse("t@1:added").where(Optional.of("x >= 25"))),
        Optional.of(dir.resolve("ok")), "ok");
    Map<String, OptionalLong> before = outputs(lake);

    String functions = " is not allowed in a filter; allowed: " + Predicates.FUNCTIONS;
    Map<String, String> attacks = new java.util.LinkedHashMap<>();
    attacks.put("EXISTS (SELECT 1 FROM text.`" + secret + "` WHERE value LIKE 's%')",
        "subqueries are not allowed in a filter");
    attacks.put("x < (SELECT count(*) FROM parquet.`" + dir.resolve("secret") + "`)",
        "subqueries are not allowed in a filter");
    attacks.put("colour IN (SELECT value FROM text.`" + secret + "`)",
        "subqueries are not allowed in a filter");
    attacks.put("java_method('java.lang.System', 'getProperty', 'user.home') LIKE '/r%'",
        "function 'java_method'" + functions);
    attacks.put("x > 1 /* */ OR reflect('java.lang.System', 'getenv', 'HOME') IS NULL",
        "function 'reflect'" + functions);
    attacks.put("x > 1 --\nOR lower(reflect('java.lang.System', 'getenv', 'HOME')) = 'a'",
        "function 'reflect'" + functions);
    attacks.put("colour = '\\u0027' OR `java_method`('java.lang.Thread', 'sleep', 1) IS NULL",
        "function 'java_method'" + functions);
    attacks.put("rand() < 0.5", "function 'rand'" + functions);
    attacks.put("leak(x) > 1", "function 'leak'" + functions);
    attacks.put("secret = 1", "column 'secret' is not a column of t; " + COLUMNS);
    attacks.put("`s e c r e t` = 1", "column 's e c r e t' is not a column of t; " + COLUMNS);

    for (Map.Entry<String, String> attack : attacks.entrySet()) {
      for (boolean current : new boolean[] {true, false}) {
        Optional<String> where = Optional.of(attack.getKey());
        TableRef filtered = TableRef.parse(current ? "t@1:added" : "t@0").where(where);
        Optional<TableRef> ref = Optional.of(current ? TableRef.parse("t@0") : filtered);
        Optional<TableRef> cur = Optional.of(current ? filtered : TableRef.parse("t@1:added"));
        Path reports = dir.resolve("refused");
        int jobs = LocalSpark.jobsDuring(spark, () -> assertThatThrownBy(
            () -> DriftJob.run(lake, ref, cur, Optional.of(reports), "refused"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage((current ? "--current-where: " : "--reference-where: ")
                + attack.getValue()));
        assertThat(jobs).as("Spark jobs for %s", attack.getKey()).isZero();
        assertThat(reports).doesNotExist();
      }
      assertThatThrownBy(() -> ProfileJob.profile(lake,
          TableRef.parse("t@1").where(Optional.of(attack.getKey())), "refused"))
          .hasMessage("--where: " + attack.getValue());
    }
    assertThat(outputs(lake)).isEqualTo(before);
  }

  @Test
  void ordinaryFiltersSelectTheirRows(SparkSession spark, @TempDir Path dir) {
    Lake lake = lake(spark, dir);
    // Hand-counted on x = 0..29, colour r (even x < 20), g (odd x < 20), b (x >= 20).
    Map<String, Long> counts = Map.of(
        "x >= 25", 5L,
        "colour IN ('r', 'b') AND NOT x BETWEEN 4 AND 24", 2L + 5L,
        "lower(upper(colour)) LIKE 'g%'", 10L,
        "colour IS NOT NULL AND x * 2 + 1 > 50 - x % 3", 5L,
        "CAST(x AS int) % 10 = 0 OR coalesce(customer_id, '') = 'k3'", 3L + 2L);
    for (Map.Entry<String, Long> c : counts.entrySet()) {
      TableRef ref = lake.resolve(TableRef.parse("t@1").where(Optional.of(c.getKey())));
      assertThat(lake.read(ref).count()).as(c.getKey()).isEqualTo(c.getValue());
    }
    DriftRun run = DriftJob.run(lake,
        Optional.of(TableRef.parse("t@0").where(Optional.of("colour IN ('r', 'g') AND x < 10"))),
        Optional.of(TableRef.parse("t@1:added").where(Optional.of("x BETWEEN 20 AND 24"))),
        Optional.of(dir.resolve("r")), "good");
    assertThat(List.of(run.referenceRows(), run.currentRows())).containsExactly(10L, 5L);
  }
}
