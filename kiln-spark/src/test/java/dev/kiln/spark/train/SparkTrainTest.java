package dev.kiln.spark.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.ReadOptions;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.features.FeatureTransform;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Values;
import dev.kiln.spark.CliFixtures;
import dev.kiln.spark.LocalSpark;
import dev.kiln.spark.cli.SparkCli;
import dev.kiln.spark.sketch.SparkSketcher;
import dev.kiln.store.KilnStore;
import dev.kiln.train.FeaturePipelineFitter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code kiln spark train} on local[2], one session for the class: the pipeline fitted from Spark's merged statistics
 * equals kiln train's on the same rows; the written bundle, loaded by Kiln's runtime, scores every row as
 * XGBoost-Spark's own {@code transform} does (to 1e-6), binary and regression; the CLI refuses a bad option by name,
 * records the run and registers the model.
 */
@Tag("slow")
class SparkTrainTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path csv;
    static Dataset<Row> rows;

    @BeforeAll
    static void start() throws Exception {
        // 800 rows: under the quantile sketch's 1,024, so the medians are exact and the pipelines equal.
        // With a date column (a time of day in some rows, some missing): the calendar parts and their hour.
        csv = dev.kiln.spark.CliFixtures.data(dir.resolve("data.csv"));
        List<String> lines = new ArrayList<>(Files.readAllLines(csv).subList(0, 801));
        lines.set(0, lines.get(0) + ",opened");
        for (int i = 1; i < lines.size(); i++) {
            String date = i % 17 == 0 ? "" : i % 5 == 0 ? String.format("2026-%02d-%02dT%02d:30:00Z", 1 + i % 12, 1 + i % 28, i % 24)
                    : String.format("2025-%02d-%02d", 1 + i % 12, 1 + i % 28);
            lines.set(i, lines.get(i) + "," + date);
        }
        csv = Files.write(dir.resolve("train.csv"), lines);
        spark = LocalSpark.start("SparkTrainTest");
        rows = spark.read().option("header", "true").option("inferSchema", "false").csv(csv.toString()).repartition(2);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void pipelineFromSparkStatisticsEqualsKilnTrains() {
        List<String> features = List.of("id", "x", "n", "city", "member", "opened");
        DataFrame frame = DataReader.read(csv, ReadOptions.defaults());
        FeaturePipelineFitter.Result single = FeaturePipelineFitter.fit(frame, features,
                FeaturePipelineFitter.Options.defaults(false));
        SparkSketcher.Sketched sketched = SparkSketcher.sketch(rows);
        FeaturePipelineFitter.Result spread = SparkPipelineFitter.fit(sketched, features,
                Set.copyOf(FeatureRows.withTimeOfDay(rows, List.of("opened"))));

        assertThat(single.pipeline().transforms()).anyMatch(t -> t instanceof FeatureTransform.DateParts d
                && d.parts().contains(FeatureTransform.DatePart.HOUR));
        assertThat(spread.pipeline().transforms()).isEqualTo(single.pipeline().transforms());
        assertThat(spread.inputSchema()).isEqualTo(single.inputSchema());
        assertThat(spread.notes()).isEqualTo(single.notes());
    }

    @Test
    void binaryBundleScoresEveryRowAsXgboostSpark() {
        SparkTrainingResult result = SparkTraining.run(rows, options("label", "amount", "binary"));
        assertThat(result.task()).isEqualTo(Task.BINARY);
        assertThat(result.classes()).containsExactly("no", "yes");
        assertThat(result.testMetrics().get("roc_auc")).isGreaterThan(0.8);
        assertThat(result.trainRows() + result.validationRows() + result.testRows()).isEqualTo(800);
        assertSameAsXgboostSpark(result, "yes");
    }

    @Test
    void regressionBundleScoresEveryRowAsXgboostSpark() {
        SparkTrainingResult result = SparkTraining.run(rows, options("amount", "label", "regression"));
        assertThat(result.task()).isEqualTo(Task.REGRESSION);
        assertThat(result.testMetrics().get("rmse")).isLessThan(result.baselineTestMetrics().get("rmse"));
        assertSameAsXgboostSpark(result, null);
    }

    @Test
    void multiclassBundleScoresEveryRowAsXgboostSpark() {
        SparkTrainingResult result = SparkTraining.run(rows, new SparkTrainOptions(csv.toString(), "city", null,
                List.of("id", "label"), 0.2, 0.2, 42L, null, 3, 0.3, 15, 0, 2, dir.resolve("multiclass"), false));
        assertThat(result.task()).isEqualTo(Task.MULTICLASS);
        assertThat(result.classes()).containsExactly("c0", "c1", "c2", "c3", "c4", "c5");
        assertThat(result.trainingInfo().get("rounds_kept")).isEqualTo(15);
        assertSameAsXgboostSpark(result, "c3");
    }

    @Test
    void cliRefusesABadOptionByName() {
        Run bad = cli("train", "--data", csv.toString(), "--target", "label", "--max-depth", "0",
                "--home", dir.resolve("home-bad").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--max-depth must be an integer >= 1, got 0");
        Run unknown = cli("train", "--data", csv.toString(), "--target", "label", "--rounds", "5");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("error [invalid_argument]: Unknown options: '--rounds'");
    }

    @Test
    void cliTracksTheRunAndRegistersTheModel() throws Exception {
        Path home = dir.resolve("home");
        Run run = cli("train", "--data", csv.toString(), "--target", "label", "--exclude", "id,amount",
                "--max-rounds", "20", "--home", home.toString(), "--register", "churn", "--json");
        assertThat(run.code()).as(run.err()).isZero();
        Map<?, ?> report = dev.kiln.runtime.Json.mapper().readValue(run.out(), Map.class);
        assertThat(report.get("registered")).isEqualTo(Map.of("name", "churn", "version", 1));
        try (KilnStore store = KilnStore.open(home, null)) {
            var parent = store.tracking().run((String) report.get("run_id")).orElseThrow();
            assertThat(parent.status().name()).isEqualTo("FINISHED");
            assertThat(store.tracking().childRuns(parent.id())).hasSize(1);
            var version = store.registry().version("churn", 1);
            assertThat(version.sourceRunId()).isEqualTo(parent.id());
            assertThat(version.algorithm()).isEqualTo("gbdt");
            assertThat(version.task()).isEqualTo("binary");
        }
    }

    private static SparkTrainOptions options(String target, String other, String out) {
        return new SparkTrainOptions(csv.toString(), target, null, List.of("id", other), 0.2, 0.2, 42L, null, 4, 0.3, 40, 5,
                2, dir.resolve(out), false);
    }

    /**
     * Every row of the data scored by the bundle through Kiln's runtime ({@link KilnModel#predict} on the row's values as
     * the file has them) and by XGBoost-Spark's model on the same row's features: the same to 1e-6.
     */
    private static void assertSameAsXgboostSpark(SparkTrainingResult result, String probabilityOf) {
        KilnModel model = KilnModel.load(result.bundle());
        List<Field> fields = model.requiredFields();
        List<Row> raw = rows.collectAsList();
        List<Row> encoded = new ArrayList<>();
        List<Prediction> kiln = new ArrayList<>();
        for (Row r : raw) {
            Map<String, Object> values = new HashMap<>();
            Object[] coerced = new Object[fields.size()];
            for (int j = 0; j < fields.size(); j++) {
                Object v = r.getAs(fields.get(j).name());
                values.put(fields.get(j).name(), v);
                coerced[j] = Values.coerce(fields.get(j), v);
            }
            double[] x = new double[model.featureNames().size()];
            model.encodeValues(coerced, x);
            encoded.add(RowFactory.create(0.0, Vectors.dense(x)));
            kiln.add(model.predict(values));
        }
        List<Row> theirs = result.xgboostModel().transform(spark.createDataFrame(encoded, FeatureRows.SCHEMA))
                .collectAsList();
        assertThat(theirs).hasSize(raw.size());
        double max = 0;
        for (int i = 0; i < raw.size(); i++) {
            Row t = theirs.get(i);
            int k = probabilityOf == null ? -1 : result.classes().indexOf(probabilityOf);
            double expected = probabilityOf != null ? ((Vector) t.getAs("probability")).apply(k) : t.<Double>getAs("prediction");
            double actual = probabilityOf != null ? kiln.get(i).probabilities().get(probabilityOf)
                    : (Double) kiln.get(i).prediction();
            max = Math.max(max, Math.abs(expected - actual));
        }
        assertThat(max).as("largest difference over " + raw.size() + " rows").isLessThanOrEqualTo(1e-6);
        assertThat(result.maxAbsDiffVsXgboost()).isLessThanOrEqualTo(1e-6);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = SparkCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
