package io.driftlake.drift.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.driftlake.drift.format.Numbers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.driftlake.drift.Drift;
import io.driftlake.drift.DriftResult;
import io.driftlake.drift.api.DriftReport;
import io.driftlake.drift.api.FeatureDrift;
import io.driftlake.drift.api.MethodResult;
import io.driftlake.drift.testing.LocalSpark;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The three renderings of one real drift run (Spark, two DataFrames), read back with a real HTML
 * parser and a JSON parser. The reference holds x = 1..100, the current x = 51..150: both ECDFs
 * step 1/100 at each integer, so F − G is largest (0.5, first at x = 50: F = 50/100, G = 0) and
 * D = 0.5 by construction.
 */
@ExtendWith(LocalSpark.class)
class TestReportPages {
  /** A column name that is markup, an entity look-alike and both quote marks. */
  static final String HOSTILE = "<script>&\"'";
  static final String ENTITY = "a&amp;b";
  static final String LONG = "a category label far longer than any bar is wide";
  private static final StructType SCHEMA = new StructType()
      .add("x", DataTypes.DoubleType).add(HOSTILE, DataTypes.StringType);
  private static DriftResult result;

  @BeforeAll
  static void run() {
    SparkSession spark = LocalSpark.session();
    result = Drift.between(side(spark, 1), side(spark, 51))
        .settings(ConfigFactory.parseString("driftlake.drift.decide-by.numeric = ks")).run();
  }

  private static Dataset<Row> side(SparkSession spark, int first) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      rows.add(RowFactory.create((double) (first + i),
          i % 3 == 0 ? ENTITY : i % 3 == 1 ? LONG : "c" + first));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static ReportRun report(DriftResult r) {
    return new ReportRun("run-1", Instant.parse("2026-01-02T03:04:05Z"),
        new ReportRun.Side("ref@0", "ref", 0, "snapshot", r.report().referenceRows()),
        new ReportRun.Side("cur@0", "cur", 0, "snapshot", r.report().currentRows()), r);
  }

  private static MethodResult ks(DriftResult r) {
    return r.report().features().stream().filter(f -> f.feature().equals("x")).findFirst()
        .orElseThrow().results().stream().filter(m -> m.method().equals("ks")).findFirst()
        .orElseThrow();
  }

  private static JsonNode ksOfX(JsonNode json) {
    for (JsonNode f : json.get("features")) {
      for (JsonNode r : f.get("results")) {
        if (f.get("feature").asText().equals("x") && r.get("method").asText().equals("ks")) {
          return r;
        }
      }
    }
    throw new AssertionError("no ks result of x in " + json);
  }

  private static Element section(Document page, String feature) {
    return page.getElementById(DriftReportHtml.anchor(feature));
  }

  @Test
  void whereKsDecidesTheEcdfMarksDAsTheTableShowsIt() {
    assertThat(ks(result).score()).isEqualTo(0.5);
    Document page = Jsoup.parse(DriftReportHtml.render(report(result)));
    Element x = section(page, "x");
    assertThat(x.select("p.meta").first().text()).startsWith("decided by ks");

    Element marker = x.selectFirst("figure.ecdf line.d-marker");
    assertThat(marker.attr("data-x")).isEqualTo("50");
    assertThat(marker.attr("data-f")).isEqualTo("0.5");
    assertThat(marker.attr("data-g")).isEqualTo("0");
    // F and G 160 px apart per unit share: 0.5 is 80 px.
    assertThat(Math.abs(Double.parseDouble(marker.attr("y1"))
        - Double.parseDouble(marker.attr("y2")))).isEqualTo(80.0);
    assertThat(x.selectFirst("figure.ecdf text.d-label").text()).isEqualTo("D = 0.5");
    assertThat(x.select("figure.ecdf path")).hasSize(2);
    Element ksRow = x.select("table.methods tr").stream()
        .filter(tr -> tr.child(0).text().equals("ks")).findFirst().orElseThrow();
    assertThat(ksRow.child(1).text()).isEqualTo("0.5");
    assertThat(ksRow.child(2).text()).isEqualTo(Numbers.pValue(ks(result).pValue()));

    // The categorical feature is decided by PSI: no ECDF there.
    assertThat(section(page, HOSTILE).select("figure.ecdf")).isEmpty();
    assertThat(section(page, HOSTILE).select("figure.bars")).hasSize(1);
  }

  @Test
  void namesAndCategoriesAreEscapedAndLongLabelsAreWholeOnHover() {
    String html = DriftReportHtml.render(report(result));
    Document page = Jsoup.parse(html);

    assertThat(page.select("script")).isEmpty();
    Element section = section(page, HOSTILE);
    assertThat(section.selectFirst("h3").ownText()).isEqualTo(HOSTILE);
    assertThat(page.select("a").stream()
        .filter(a -> a.attr("href").equals("#" + DriftReportHtml.anchor(HOSTILE)))
        .map(Element::text).toList()).containsExactly(HOSTILE);
    assertThat(html).contains(">&lt;script&gt;&amp;&quot;'<")
        .doesNotContain("<script>");
    // An entity look-alike is data, shown as typed: its '&' is escaped too.
    List<String> titles = section.select("text.bin-label > title").eachText();
    assertThat(titles).contains(ENTITY, LONG);
    assertThat(html).contains("<title>a&amp;amp;b</title>");
    Element longLabel = section.select("text.bin-label").stream()
        .filter(t -> t.selectFirst("title").text().equals(LONG)).findFirst().orElseThrow();
    assertThat(longLabel.ownText()).isEqualTo("a category…");
  }

  @Test
  void aPValueThatUnderflowedReadsBelow1eMinus300EverywhereAPersonReadsIt() throws Exception {
    MethodResult ks = ks(result);
    MethodResult zero = new MethodResult("ks", 1.0, 0.0, ks.threshold(),
        io.driftlake.drift.api.Verdict.DRIFTED, null, ks.conventions());
    List<FeatureDrift> features = result.report().features().stream().map(f ->
        !f.feature().equals("x") ? f : new FeatureDrift(f.feature(), f.type(),
            f.referenceRows(), f.currentRows(), f.referenceNullShare(), f.currentNullShare(),
            f.results().stream().map(m -> m.method().equals("ks") ? zero : m).toList(),
            f.decidedBy(), io.driftlake.drift.api.Verdict.DRIFTED, f.critical())).toList();
    DriftReport r = result.report();
    DriftResult underflow = new DriftResult(new DriftReport(r.referenceRows(), r.currentRows(),
        features, r.driftedShareThreshold(), r.status(), r.reason(), r.skipped()),
        result.checks(), result.reference(), result.current(), result.schema(),
        result.settings(), result.mode(), result.modeNote());

    Document page = Jsoup.parse(DriftReportHtml.render(report(underflow)));
    Element ksRow = section(page, "x").select("table.methods tr").stream()
        .filter(tr -> tr.child(0).text().equals("ks")).findFirst().orElseThrow();
    assertThat(ksRow.child(2).text()).isEqualTo("< 1e-300");
    Element summaryRow = page.select("section.summary table.grid tr").stream()
        .filter(tr -> tr.child(0).text().equals("x")).findFirst().orElseThrow();
    assertThat(summaryRow.child(5).text()).isEqualTo("< 1e-300");
    assertThat(page.text()).doesNotContainPattern("\\d[eE][-+]?0\\d");

    String console = DriftReportText.render(report(underflow));
    assertThat(console.lines().filter(l -> l.startsWith("  x ")).findFirst().orElseThrow())
        .endsWith("< 1e-300");

    // drift.json keeps the number itself, at full precision.
    JsonNode json = new ObjectMapper().readTree(DriftReportJson.render(report(underflow)));
    JsonNode ksJson = ksOfX(json);
    assertThat(ksJson.get("p_value").isNumber()).isTrue();
    assertThat(ksJson.get("p_value").asDouble()).isZero();
    JsonNode original = new ObjectMapper().readTree(DriftReportJson.render(report(result)));
    assertThat(ksOfX(original).get("p_value").asDouble()).isEqualTo(ks.pValue());
    assertThat(original.get("reference").get("profiles").get("source").asText())
        .isEqualTo("scanned");
  }
}
