package dev.kiln.spark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.validate.Validator;
import dev.kiln.monitor.validate.ValidateOptions;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.schema.Values;
import dev.kiln.runtime.validate.Expectations;
import dev.kiln.runtime.validate.ValidationOptions;
import dev.kiln.runtime.validate.ValidationReport;
import dev.kiln.spark.CliFixtures;
import dev.kiln.spark.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln spark validate} end to end on local[2], against {@code kiln data validate}'s own code on the same rows
 * with planted problems: values of the wrong type, missing values past the training share, new categories, values out
 * of the training range, a missing column.
 */
@Tag("slow")
class SparkValidateCliTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static KilnModel classifier;
    static Path planted;

    @BeforeAll
    static void start() throws Exception {
        classifier = CliFixtures.classifier(CliFixtures.data(dir.resolve("data.csv")), dir);
        planted = planted(dir.resolve("planted.csv"), 3000);
        spark = LocalSpark.start("SparkValidateCliTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** {@code id,x,n,city,member,note} with every kind of problem in some rows, the rest as in training. */
    static Path planted(Path file, int rows) throws Exception {
        StringBuilder sb = new StringBuilder("id,x,n,city,member,note\n");
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < rows; i++) {
            String x = i % 97 == 0 ? "abc" : i % 89 == 0 ? "99.5" : i % 4 == 0 ? "" : Double.toString(r.nextGaussian());
            String n = i % 53 == 0 ? "2.5" : i % 61 == 0 ? "1000" : Integer.toString(r.nextInt(10));
            String city = i % 41 == 0 ? "c" + (100 + i % 7) : "c" + r.nextInt(6);
            String member = i % 71 == 0 ? "maybe" : Boolean.toString(r.nextBoolean());
            sb.append("r").append(i).append(',').append(x).append(',').append(n).append(',').append(city).append(',')
                    .append(member).append(",free text ").append(i).append('\n');
        }
        return Files.writeString(file, sb.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> exactParts(Object report) throws Exception {
        Map<String, Object> m = Json.mapper().readValue(Json.mapper().writeValueAsString(report), Map.class);
        m.keySet().removeAll(List.of("dataset", "dataset_sha256", "model", "master"));
        return m;
    }

    @Test
    void oneFileInSeveralSplitsGivesKilnDataValidatesReportAndExitCode() throws Exception {
        ValidationReport single = Validator.validate(planted, Expectations.of(classifier.bundle()), ValidationOptions.defaults());
        assertThat(single.status()).isEqualTo(ValidationReport.Status.FAIL);
        assertThat(single.columns()).allSatisfy(c -> assertThat(c.issues()).as(c.name()).isNotEmpty());
        spark.conf().set("spark.sql.files.maxPartitionBytes", "20000");  // ~6 splits of the one file, merged in order
        try {
            CliRun json = CliRun.of("validate", "--data", planted.toString(), "--against",
                    classifier.bundle().directory().toString(), "--json");
            assertThat(json.exitCode()).as(json.err()).isEqualTo(ValidateOptions.EXIT_FAILED);
            Map<String, Object> onSpark = Json.mapper().readValue(json.out(), Map.class);
            assertThat(onSpark).containsEntry("dataset", planted.toAbsolutePath().normalize().toString())
                    .containsKeys("model", "master");
            assertThat(exactParts(onSpark)).isEqualTo(exactParts(single));
            assertThat(spark.read().option("header", "true").csv(planted.toString()).rdd().getNumPartitions())
                    .as("the file was read in several splits").isGreaterThan(2);

            CliRun text = CliRun.of("validate", "--data", planted.toString(), "--model",
                    classifier.bundle().directory().toString(), "--fail-on", "warn");
            assertThat(text.exitCode()).as(text.err()).isEqualTo(ValidateOptions.EXIT_FAILED);
            assertThat(text.out()).contains("status: FAIL", "x invalid_type (fail): 31 value(s) are not a number; e.g. row 1: 'abc'",
                    "extra columns (not read by the model): id, note");
        } finally {
            spark.conf().unset("spark.sql.files.maxPartitionBytes");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void severalParquetFilesCountAsOneMachineAndNameEachExamplesFileAndRow() throws Exception {
        // Typed columns, the boolean column left out (a missing column: every row fails), in three files.
        Path parquet = dir.resolve("planted.parquet");
        spark.read().option("header", "true").csv(planted.toString())
                .selectExpr("id", "cast(x as double) as x", "n", "city", "note").repartition(3)
                .write().parquet(parquet.toString());
        // The same rows as one CSV file, for kiln data validate.
        Path csvDir = dir.resolve("same-rows");
        spark.read().parquet(parquet.toString()).coalesce(1).write().option("header", "true").csv(csvDir.toString());
        Path csv;
        try (Stream<Path> files = Files.list(csvDir)) {
            csv = files.filter(p -> p.toString().endsWith(".csv")).findFirst().orElseThrow();
        }
        ValidationReport single = Validator.validate(csv, Expectations.of(classifier.bundle()), ValidationOptions.defaults());

        CliRun run = CliRun.of("validate", "--data", parquet.toString(), "--against",
                classifier.bundle().directory().toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ValidateOptions.EXIT_FAILED);
        ValidationReport onSpark = Json.mapper().readValue(run.out(), ValidationReport.class);
        assertThat(onSpark.missingColumns()).containsExactly("member");
        assertThat(onSpark.rowNumbers()).isEqualTo(ValidationReport.ROW_NUMBERS_PER_FILE);
        assertThat(onSpark.summary()).isEqualTo(single.summary());
        assertThat(onSpark.summary().rowsFailing()).isEqualTo(3000);
        for (int c = 0; c < single.columns().size(); c++) {
            ValidationReport.ColumnReport want = single.columns().get(c);
            ValidationReport.ColumnReport got = onSpark.columns().get(c);
            assertThat(got.counts()).as(want.name()).isEqualTo(want.counts());
            assertThat(got.status()).as(want.name()).isEqualTo(want.status());
            assertThat(got.issues().stream().map(i -> i.kind() + " " + i.count() + " " + i.message()).toList()).as(want.name())
                    .isEqualTo(want.issues().stream().map(i -> i.kind() + " " + i.count() + " " + i.message()).toList());
        }
        // Each example names its file and its row in it: the row holds the value.
        ValidationReport.Issue outOfRange = onSpark.columns().stream().filter(c -> c.name().equals("x")).findFirst()
                .orElseThrow().issues().stream()
                .filter(i -> i.kind() == ValidationReport.Kind.OUT_OF_RANGE).findFirst().orElseThrow();
        assertThat(outOfRange.examples()).hasSize(5).allSatisfy(e -> {
            assertThat(e.file()).contains("part-");
            List<Row> rows = spark.read().parquet(e.file()).collectAsList();
            assertThat(Values.canonicalNumberText(rows.get((int) e.row() - 1).<Double>getAs("x"))).isEqualTo(e.value());
        });
    }
}
