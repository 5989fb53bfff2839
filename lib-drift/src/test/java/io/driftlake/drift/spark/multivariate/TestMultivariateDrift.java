package io.driftlake.drift.spark.multivariate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.Drift;
import io.driftlake.drift.DriftResult;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.MultivariateDrift;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.method.DriftMethod;
import io.driftlake.drift.format.Numbers;
import io.driftlake.drift.method.DriftMethods;
import io.driftlake.drift.report.DriftReportHtml;
import io.driftlake.drift.report.DriftReportJson;
import io.driftlake.drift.report.ReportRun;
import io.driftlake.drift.testing.Correlated;
import io.driftlake.drift.testing.LocalSpark;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Multivariate drift on real Spark. Injected answer: x and y keep exactly their values (every
 * marginal identical, so every per-feature method declared in {@link DriftMethods} finds nothing)
 * while their correlation flips from 0.8 to −0.8: the domain classifier and the PCA
 * reconstruction error must both flag it. Two draws of one distribution must flag nothing. The
 * PCA error is recomputed here from the rows with Commons Math's eigen-decomposition.
 */
@ExtendWith(LocalSpark.class)
class TestMultivariateDrift {
  private static final int ROWS = 2000;

  /** Every declared method on its types, multivariate on, every row sampled, small models. */
  private static Config config() {
    String numeric = ids(DriftMethods.all().stream()
        .filter(m -> m.appliesTo(io.driftlake.drift.feature.FeatureType.NUMERIC)).toList());
    String categorical = ids(DriftMethods.all().stream()
        .filter(m -> m.appliesTo(io.driftlake.drift.feature.FeatureType.CATEGORICAL)).toList());
    return ConfigFactory.parseString("driftlake.drift { methods { numeric = " + numeric
        + ", categorical = " + categorical + " }, multivariate { enabled = true, "
        + "sample-rows = 100000, trees = 5, max-depth = 3 } }");
  }

  private static String ids(List<DriftMethod> methods) {
    return methods.stream().map(DriftMethod::id).collect(Collectors.joining(", ", "[", "]"));
  }

  private static Dataset<Row> frame(SparkSession spark, List<Row> rows) {
    return spark.createDataFrame(rows, Correlated.SCHEMA).repartition(2);
  }

  private static MethodResult result(DriftResult r, String method) {
    return r.report().multivariate().results().stream().filter(m -> m.method().equals(method))
        .findFirst().orElseThrow();
  }

  @Test
  void correlationFlipIsCaughtByBothAndMissedByEveryPerFeatureMethod(SparkSession spark) {
    List<Row> reference = Correlated.rows(ROWS, 0.8, 1);
    List<Row> current = Correlated.reordered(reference, -0.8, 2);

    DriftResult r = Drift.between(frame(spark, reference), frame(spark, current))
        .settings(config()).run();

    // Every declared method ran, on identical marginals, and none drifted.
    assertThat(r.report().features().stream().flatMap(f -> f.results().stream())
        .map(MethodResult::method).collect(Collectors.toSet()))
        .isEqualTo(DriftMethods.all().stream().map(DriftMethod::id).collect(Collectors.toSet()));
    assertThat(r.report().features()).extracting(FeatureDrift::verdict)
        .containsOnly(Verdict.NOT_DRIFTED);
    assertThat(r.report().features().stream().flatMap(f -> f.results().stream()))
        .extracting(MethodResult::verdict).containsOnly(Verdict.NOT_DRIFTED);
    assertThat(r.drifted()).isFalse();

    MethodResult classifier = result(r, MultivariateDrift.DOMAIN_CLASSIFIER);
    assertThat(classifier.verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(classifier.score()).isGreaterThan(0.7);
    assertThat(classifier.threshold()).isEqualTo(0.55);
    assertThat(classifier.conventions()).containsEntry("folds", "3")
        .containsEntry("reference_sample_rows", String.valueOf(ROWS))
        .containsEntry("current_sample_rows", String.valueOf(ROWS));
    // Why: x and y, the pair whose relation changed, lead the importances.
    assertThat(r.report().multivariate().topFeatures().subList(0, 2))
        .extracting(MultivariateDrift.Importance::feature).containsExactlyInAnyOrder("x", "y");

    MethodResult pca = result(r, MultivariateDrift.PCA_RECONSTRUCTION);
    double[] expected = reconstructionErrors(reference, current);
    assertThat(pca.verdict()).isEqualTo(Verdict.DRIFTED);
    assertThat(pca.score()).isCloseTo(expected[1], within(1e-6));
    assertThat(Double.parseDouble(pca.conventions().get("reference_error")))
        .isCloseTo(expected[0], within(1e-5));
    assertThat(pca.conventions()).containsEntry("components_kept", String.valueOf(
        (int) expected[2]));
    assertThat(pca.score()).isGreaterThan(pca.threshold());
    assertThat(r.report().multivariate().skipped()).extracting(c -> c.column())
        .containsExactly("channel");

    // The page: the AUC against its threshold, the top features as bars, the error vs the band.
    org.jsoup.nodes.Document page = org.jsoup.Jsoup.parse(DriftReportHtml.render(report(r)));
    org.jsoup.nodes.Element section = page.selectFirst("section.multivariate");
    assertThat(section.hasClass("bad")).isTrue();
    assertThat(section.select("h3").eachText()).containsExactly(
        "domain_classifier drifted", "pca_reconstruction drifted");
    assertThat(section.text()).contains("ROC AUC " + Numbers.number(classifier.score())
        + " vs threshold 0.55");
    assertThat(section.select("figure.importances rect title").eachText().subList(0, 2))
        .allMatch(t -> t.startsWith("x: ") || t.startsWith("y: "));
    assertThat(section.selectFirst("figure.pca-band line title").text())
        .isEqualTo("current error " + Numbers.number(pca.score()));
  }

  private static ReportRun report(DriftResult r) {
    return new ReportRun("run-1", java.time.Instant.parse("2026-01-02T03:04:05Z"),
        new ReportRun.Side("ref@0", "ref", 0, "snapshot", r.report().referenceRows()),
        new ReportRun.Side("cur@0", "cur", 0, "snapshot", r.report().currentRows()), r);
  }

  @Test
  void twoDrawsOfOneDistributionFlagNothingAndTheSeedFixesTheAnswer(SparkSession spark) {
    Dataset<Row> reference = frame(spark, Correlated.rows(ROWS, 0.8, 1));
    Dataset<Row> current = frame(spark, Correlated.rows(ROWS, 0.8, 3));

    DriftResult r = Drift.between(reference, current).settings(config()).run();
    MethodResult classifier = result(r, MultivariateDrift.DOMAIN_CLASSIFIER);
    MethodResult pca = result(r, MultivariateDrift.PCA_RECONSTRUCTION);

    assertThat(classifier.verdict()).isEqualTo(Verdict.NOT_DRIFTED);
    // The AUC of sides that do not differ is 0.5 up to its noise (about 0.016 a fold here).
    assertThat(classifier.score()).isCloseTo(0.5, within(0.05));
    assertThat(pca.verdict()).isEqualTo(Verdict.NOT_DRIFTED);
    double lower = Double.parseDouble(pca.conventions().get("band_lower"));
    assertThat(pca.score()).isBetween(lower, pca.threshold());

    MultivariateDrift second = MultivariateAnalysis.run(reference, current, ROWS, ROWS,
        r.report().features(), io.driftlake.drift.config.MultivariateSettings.from(
            config().withFallback(ConfigFactory.defaultReference())));
    // Same seed, same rows: the same sample, folds, chunks and models (the AUC's distributed
    // sums may differ in the last bit).
    MultivariateDrift first = r.report().multivariate();
    assertThat(second.topFeatures()).isEqualTo(first.topFeatures());
    for (int i = 0; i < 2; i++) {
      assertThat(second.results().get(i).conventions())
          .isEqualTo(first.results().get(i).conventions());
      assertThat(second.results().get(i).score())
          .isCloseTo(first.results().get(i).score(), within(1e-12));
    }
  }

  @Test
  void modeProfilesSaysUnknownAndWhy(SparkSession spark) throws Exception {
    DriftResult r = Drift.between(frame(spark, Correlated.rows(500, 0.8, 1)),
            frame(spark, Correlated.rows(500, 0.8, 3)))
        .settings(config().withFallback(ConfigFactory.parseString(
            "driftlake.drift.statistics-mode = profiles"))).run();

    assertThat(r.report().multivariate().results())
        .extracting(MethodResult::method, MethodResult::verdict, MethodResult::note)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("domain_classifier", Verdict.UNKNOWN,
                MultivariateAnalysis.PROFILES_MODE),
            org.assertj.core.groups.Tuple.tuple("pca_reconstruction", Verdict.UNKNOWN,
                MultivariateAnalysis.PROFILES_MODE));
    com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(DriftReportJson.render(report(r)));
    assertThat(json.get("multivariate").get("results").get(0).get("verdict").asText())
        .isEqualTo("unknown");
    assertThat(json.get("multivariate").get("results").get(0).get("score").isNull()).isTrue();
    assertThat(DriftReportHtml.render(report(r))).contains(MultivariateAnalysis.PROFILES_MODE);

    // Not asked for: said so, in both reports.
    DriftResult off = new DriftResult(r.report().withMultivariate(MultivariateDrift.off()),
        r.checks(), r.reference(), r.current(), r.schema(), r.settings(), r.mode(), r.modeNote());
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(DriftReportJson.render(report(off))).get("multivariate").toString())
        .isEqualTo("{\"enabled\":false,\"reason\":\"off: driftlake.drift.multivariate.enabled "
            + "= false\"}");
    assertThat(org.jsoup.Jsoup.parse(DriftReportHtml.render(report(off)))
        .selectFirst("section.multivariate p.meta").text())
        .isEqualTo("off: set driftlake.drift.multivariate.enabled = true for the domain "
            + "classifier and the PCA reconstruction error");
  }

  /**
   * The reference's and the current's mean PCA reconstruction error, and the components kept,
   * from the rows: w's nulls filled with the reference's mean, standardized with the reference's
   * mean and sd (n − 1), the correlation matrix's leading eigenvectors reaching 65 % of the
   * variance, each row's distance to its projection.
   */
  private static double[] reconstructionErrors(List<Row> reference, List<Row> current) {
    int d = 3;
    double[] mean = new double[d];
    double[] sd = new double[d];
    double wMean = reference.stream().filter(r -> !r.isNullAt(2)).mapToDouble(r -> r.getDouble(2))
        .average().orElseThrow();
    double[][] ref = matrix(reference, wMean);
    double[][] cur = matrix(current, wMean);
    for (int j = 0; j < d; j++) {
      final int c = j;
      mean[j] = Arrays.stream(ref).mapToDouble(r -> r[c]).average().orElseThrow();
      double ss = Arrays.stream(ref).mapToDouble(r -> (r[c] - mean[c]) * (r[c] - mean[c])).sum();
      sd[j] = Math.sqrt(ss / (ref.length - 1));
    }
    RealMatrix z = standardized(ref, mean, sd);
    RealMatrix cov = z.transpose().multiply(z).scalarMultiply(1.0 / (ref.length - 1));
    EigenDecomposition eigen = new EigenDecomposition(cov);
    double[] values = eigen.getRealEigenvalues(); // descending
    double total = Arrays.stream(values).sum();
    int k = 0;
    double share = 0;
    while (share < 0.65) {
      share += values[k++] / total;
    }
    RealMatrix p = new Array2DRowRealMatrix(d, k);
    for (int i = 0; i < k; i++) {
      p.setColumnVector(i, eigen.getEigenvector(i));
    }
    return new double[] {meanError(z, p), meanError(standardized(cur, mean, sd), p), k};
  }

  private static double meanError(RealMatrix z, RealMatrix p) {
    RealMatrix projector = p.multiply(p.transpose());
    double sum = 0;
    for (int i = 0; i < z.getRowDimension(); i++) {
      RealVector row = z.getRowVector(i);
      sum += row.subtract(projector.operate(row)).getNorm();
    }
    return sum / z.getRowDimension();
  }

  private static double[][] matrix(List<Row> rows, double wMean) {
    return rows.stream().map(r -> new double[] {r.getDouble(0), r.getDouble(1),
        r.isNullAt(2) ? wMean : r.getDouble(2)}).toArray(double[][]::new);
  }

  private static RealMatrix standardized(double[][] rows, double[] mean, double[] sd) {
    double[][] z = new double[rows.length][mean.length];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < mean.length; j++) {
        z[i][j] = (rows[i][j] - mean[j]) / sd[j];
      }
    }
    return new Array2DRowRealMatrix(z, false);
  }
}
