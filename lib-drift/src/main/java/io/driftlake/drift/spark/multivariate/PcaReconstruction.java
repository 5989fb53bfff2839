package io.driftlake.drift.spark.multivariate;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;

import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.api.MultivariateDrift;
import io.driftlake.drift.api.Verdict;
import io.driftlake.drift.config.MultivariateSettings;
import io.driftlake.drift.stat.Multivariate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StandardScalerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * PCA reconstruction error, as NannyML's data reconstruction drift computes it: the numeric
 * features standardized with the reference sample's mean and standard deviation (MLlib
 * {@link StandardScaler}, n − 1), an MLlib {@link PCA} fit on the reference keeping the fewest
 * components that explain {@code variance-kept} of the variance, and a row's error the Euclidean
 * distance between its standardized vector x and its reconstruction P Pᵀx (P the kept
 * components, orthonormal, so the error is √(|x|² − |Pᵀx|²)). A side's error is the mean over its
 * rows. The band is the mean ± {@code sigmas} sample standard deviations of the errors of the
 * reference sample cut into {@code chunks} chunks; the current drifts outside it.
 */
final class PcaReconstruction {
  private PcaReconstruction() {}

  static MethodResult fit(Sample sample, MultivariateSettings settings) {
    List<String> names = List.copyOf(sample.numeric.keySet());
    Dataset<Row> vectors = new VectorAssembler()
        .setInputCols(sample.numeric.values().toArray(String[]::new)).setOutputCol("_dl_x")
        .transform(sample.rows());
    Dataset<Row> reference = vectors.filter(col(Sample.LABEL).equalTo(0));
    StandardScalerModel scaler = new StandardScaler().setInputCol("_dl_x").setOutputCol("_dl_z")
        .setWithMean(true).setWithStd(true).fit(reference);
    Dataset<Row> scaled = scaler.transform(vectors);
    Dataset<Row> scaledReference = scaled.filter(col(Sample.LABEL).equalTo(0));
    int d = names.size();
    PCAModel all = new PCA().setInputCol("_dl_z").setOutputCol("_dl_p").setK(d)
        .fit(scaledReference);
    double[] explained = all.explainedVariance().toArray();
    int k = Multivariate.componentsFor(explained, settings.varianceKept());
    double share = 0;
    for (int i = 0; i < k; i++) {
      share += explained[i];
    }
    PCAModel kept = new PCA().setInputCol("_dl_z").setOutputCol("_dl_p").setK(k)
        .fit(scaledReference);
    Dataset<Row> errors = kept.transform(scaled)
        .withColumn("_dl_zz", functions.vector_to_array(col("_dl_z"), "float64"))
        .withColumn("_dl_pp", functions.vector_to_array(col("_dl_p"), "float64"))
        .withColumn("_dl_err", expr("sqrt(greatest(0D, "
            + "aggregate(_dl_zz, 0D, (a, v) -> a + v * v) - "
            + "aggregate(_dl_pp, 0D, (a, v) -> a + v * v)))"));
    List<Row> chunks = errors.groupBy(Sample.LABEL, Sample.CHUNK)
        .agg(avg("_dl_err"), count("_dl_err")).collectAsList();
    double[] chunkErrors = chunks.stream().filter(r -> r.getInt(0) == 0)
        .sorted(java.util.Comparator.comparingInt(r -> r.getInt(1)))
        .mapToDouble(r -> r.getDouble(2)).toArray();
    double currentSum = 0;
    double referenceSum = 0;
    for (Row r : chunks) {
      if (r.getInt(0) == 1) {
        currentSum += r.getDouble(2) * r.getLong(3);
      } else {
        referenceSum += r.getDouble(2) * r.getLong(3);
      }
    }
    double error = currentSum / sample.sides[1];
    double[] band = Multivariate.band(chunkErrors, settings.sigmas());
    Map<String, String> conventions = new TreeMap<>();
    conventions.put("score", "mean reconstruction error of the current sample");
    conventions.put("band", "[" + DomainClassifier.num(band[0]) + ", "
        + DomainClassifier.num(band[1]) + "]: mean ± " + DomainClassifier.num(settings.sigmas())
        + " sd of " + chunkErrors.length + " reference chunks' errors");
    conventions.put("band_lower", DomainClassifier.num(band[0]));
    conventions.put("band_upper", DomainClassifier.num(band[1]));
    conventions.put("chunk_errors", DomainClassifier.list(chunkErrors));
    conventions.put("reference_error", DomainClassifier.num(referenceSum / sample.sides[0]));
    conventions.put("components", String.format(Locale.ROOT, "%d of %d (variance explained %s, "
        + "target %s)", k, d, DomainClassifier.num(share),
        DomainClassifier.num(settings.varianceKept())));
    conventions.put("components_kept", String.valueOf(k));
    conventions.put("standardization", "the reference sample's mean and standard deviation "
        + "(n - 1); missing numbers are the reference sample's mean");
    conventions.put("reference_sample_rows", String.valueOf(sample.sides[0]));
    conventions.put("current_sample_rows", String.valueOf(sample.sides[1]));
    conventions.put("features", String.join(", ", names));
    boolean outside = error < band[0] || error > band[1];
    return new MethodResult(MultivariateDrift.PCA_RECONSTRUCTION, error, null, band[1],
        Verdict.of(outside), null, conventions);
  }
}
