package dev.kiln.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.Task;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KilnSpark#predict} on a real local Spark (local[2]) against what {@code kiln predict} computes. */
@Tag("slow")
class KilnSparkPredictTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path data;
    static KilnModel classifier;
    static KilnModel regressor;

    @BeforeAll
    static void start() throws Exception {
        data = Fixtures.data(dir.resolve("data.csv"), 1200, 11);
        classifier = Fixtures.train(data, dir, "label", "amount", "gbdt");
        regressor = Fixtures.train(data, dir, "amount", "label", "linear");
        spark = LocalSpark.start("KilnSparkPredictTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Dataset<Row> csv(Path file) {
        return spark.read().option("header", "true").csv(file.toString());
    }

    private static Path bundle(KilnModel model) {
        return model.bundle().directory();
    }

    /** Every row's prediction and probabilities are exactly those of the runtime's scoring of the same file. */
    static void assertSameAsKilnPredict(List<Row> scored, KilnModel model, Map<String, Prediction> expected) {
        assertThat(scored).hasSize(expected.size());
        for (Row row : scored) {
            Prediction want = expected.get(row.<String>getAs("id"));
            assertThat(row.<String>getAs(KilnSpark.ERROR_COLUMN)).as("row %s", row).isNull();
            Object prediction = row.getAs("prediction");
            assertThat(prediction).as("row %s", row).isEqualTo(want.prediction());
            for (String c : model.classes()) {
                assertThat(row.<Double>getAs("probability_" + c)).as("row %s, class %s", row, c)
                        .isEqualTo(want.probabilities().get(c));
            }
        }
    }

    @Test
    void aClassifierScoresEveryRowAsKilnPredictDoes() {
        Dataset<Row> scored = KilnSpark.predict(csv(data).repartition(3), bundle(classifier));
        assertThat(scored.columns()).containsExactly("id", "x", "n", "city", "member", "label", "amount",
                "prediction", "probability_no", "probability_yes", "kiln_error");
        assertThat(scored.schema().apply("prediction").dataType()).isEqualTo(DataTypes.StringType);
        assertSameAsKilnPredict(scored.collectAsList(), classifier, ReferenceScoring.of(classifier, data));
    }

    @Test
    void aRegressorScoresEveryRowAsKilnPredictDoes() {
        assertThat(regressor.task()).isEqualTo(Task.REGRESSION);
        Dataset<Row> scored = KilnSpark.predict(csv(data), bundle(regressor));
        assertThat(scored.columns()).endsWith("prediction", "kiln_error");
        assertThat(scored.schema().apply("prediction").dataType()).isEqualTo(DataTypes.DoubleType);
        assertSameAsKilnPredict(scored.collectAsList(), regressor, ReferenceScoring.of(regressor, data));
    }

    @Test
    void typedColumnsAsParquetHoldsThemScoreAsTheirText() {
        Dataset<Row> typed = csv(data).selectExpr("id", "cast(x as double) as x", "cast(n as int) as n", "city",
                "cast(member as boolean) as member");
        List<Row> scored = KilnSpark.predict(typed, bundle(classifier)).collectAsList();
        assertSameAsKilnPredict(scored, classifier, ReferenceScoring.of(classifier, data));
    }

    @Test
    void aBadRowGetsItsErrorAndTheOthersTheirPredictions() {
        StructType schema = DataTypes.createStructType(Arrays.asList(
                DataTypes.createStructField("id", DataTypes.StringType, true),
                DataTypes.createStructField("x", DataTypes.StringType, true),
                DataTypes.createStructField("n", DataTypes.StringType, true),
                DataTypes.createStructField("city", DataTypes.StringType, true),
                DataTypes.createStructField("member", DataTypes.StringType, true)));
        List<Row> rows = List.of(
                RowFactory.create("good", "0.5", "3", "c1", "true"),
                RowFactory.create("bad-number", "abc", "3", "c1", "true"),
                RowFactory.create("missing-values", null, null, null, null),
                RowFactory.create("bad-boolean", "0.5", "3", "c1", "maybe"));
        List<Row> scored = KilnSpark.predict(spark.createDataFrame(rows, schema), bundle(classifier)).collectAsList();

        Row good = scored.get(0);
        assertThat(good.<String>getAs("kiln_error")).isNull();
        assertThat(good.<String>getAs("prediction"))
                .isEqualTo(classifier.predict(Map.of("x", 0.5, "n", 3, "city", "c1", "member", true)).prediction());
        Row badNumber = scored.get(1);
        assertThat(badNumber.<String>getAs("kiln_error")).isEqualTo("value_invalid: column 'x': value 'abc' is not a number");
        assertThat(badNumber.<String>getAs("prediction")).isNull();
        assertThat(badNumber.<Double>getAs("probability_yes")).isNull();
        assertThat(badNumber.<String>getAs("x")).as("the input passes through").isEqualTo("abc");
        assertThat(scored.get(2).<String>getAs("kiln_error")).as("missing values are imputed, as kiln predict does").isNull();
        assertThat(scored.get(2).<String>getAs("prediction")).isIn("yes", "no");
        assertThat(scored.get(3).<String>getAs("kiln_error")).startsWith("value_invalid: column 'member': value 'maybe'");
    }

    @Test
    void aColumnTheInputLacksIsAnErrorOnEveryRowNotAFailedJob() {
        List<Row> scored = KilnSpark.predict(csv(data).drop("city").limit(5), bundle(classifier)).collectAsList();
        assertThat(scored).hasSize(5).allSatisfy(r -> {
            assertThat(r.<String>getAs("kiln_error")).isEqualTo("column_missing: column 'city' is missing");
            assertThat(r.<String>getAs("prediction")).isNull();
        });
    }

    @Test
    void theBundleIsLoadedOncePerJvmNotPerPartition() {
        KilnSpark.predict(csv(data).limit(10), bundle(regressor)).collectAsList();  // loaded (if not already)
        long before = ModelCache.loads();
        KilnSpark.Scored scored = KilnSpark.predictCounted(csv(data).repartition(4), bundle(regressor));
        assertThat(scored.rows().count()).isEqualTo(1200);
        assertThat(scored.rows().rdd().getNumPartitions()).isEqualTo(4);
        assertThat(ModelCache.loads()).as("4 partitions, 2 tasks at a time, one JVM: no new load").isEqualTo(before);
    }

    @Test
    void anExecutorLoadsTheBroadcastBundleOnceUnderItsKey() {
        BundleBytes packed = BundleBytes.pack(bundle(classifier), classifier.manifest().files());
        String key = BundleBytes.key("/elsewhere/on/an/executor", packed.checksum());
        long before = ModelCache.loads();
        KilnModel first = ModelCache.fromBroadcast(key, packed::zip);
        KilnModel second = ModelCache.fromBroadcast(key, packed::zip);
        assertThat(second).isSameAs(first);
        assertThat(ModelCache.loads()).isEqualTo(before + 1);
        assertThat(first.predict(Map.of("x", 0.5, "n", 3, "city", "c1", "member", true)))
                .isEqualTo(classifier.predict(Map.of("x", 0.5, "n", 3, "city", "c1", "member", true)));
    }

    @Test
    void aBundleThatDoesNotLoadOrAnOutputNameTakenIsAClearError() {
        assertThatThrownBy(() -> KilnSpark.predict(csv(data), dir.resolve("no-such-bundle")))
                .isInstanceOf(KilnException.class).extracting(e -> ((KilnException) e).code())
                .isEqualTo(ErrorCode.BUNDLE_NOT_FOUND);
        assertThatThrownBy(() -> KilnSpark.predict(csv(data).withColumnRenamed("label", "Prediction"), bundle(classifier)))
                .isInstanceOf(KilnException.class).hasMessageContaining("column 'Prediction'")
                .extracting(e -> ((KilnException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }
}
