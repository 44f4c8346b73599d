package dev.kiln.spark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.spark.CliFixtures;
import dev.kiln.spark.LocalSpark;
import dev.kiln.store.KilnStore;
import dev.kiln.store.ModelVersion;
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

/** {@code kiln spark predict} end to end on local[2]: Parquet, CSV and JSON lines in and out. */
@Tag("slow")
class SparkPredictCliTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path data;
    static KilnModel classifier;
    static Map<String, Prediction> expected;

    @BeforeAll
    static void start() throws Exception {
        data = CliFixtures.data(dir.resolve("data.csv"));
        classifier = CliFixtures.classifier(data, dir);
        expected = CliFixtures.expected(classifier, data);
        spark = LocalSpark.start("SparkPredictCliTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> summary(CliRun run) throws Exception {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return Json.mapper().readValue(run.out(), Map.class);
    }

    @Test
    void parquetInParquetOutHoldsKilnPredictsValues() throws Exception {
        Path input = dir.resolve("rows.parquet");
        spark.read().option("header", "true").csv(data.toString())
                .selectExpr("id", "cast(x as double) as x", "cast(n as long) as n", "city", "cast(member as boolean) as member")
                .repartition(3).write().parquet(input.toString());
        Path output = dir.resolve("scores.parquet");
        Map<String, Object> summary = summary(CliRun.of("predict", "--model", classifier.bundle().directory().toString(),
                "--input", input.toString(), "--output", output.toString(), "--json"));
        assertThat(summary).containsEntry("rows", 1200).containsEntry("errors", 0)
                .containsEntry("input_format", "parquet").containsEntry("output_format", "parquet")
                .containsEntry("algorithm", "gbdt");
        try (Stream<Path> parts = Files.list(output)) {
            assertThat(parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).count())
                    .as("partitioned as Spark writes it").isGreaterThanOrEqualTo(2);
        }
        List<Row> rows = spark.read().parquet(output.toString()).collectAsList();
        assertThat(rows).hasSize(expected.size()).allSatisfy(r -> {
            Prediction want = expected.get(r.<String>getAs("id"));
            assertThat(r.<String>getAs("prediction")).isEqualTo(want.prediction());
            assertThat(r.<Double>getAs("probability_yes")).isEqualTo(want.probabilities().get("yes"));
            assertThat(r.<Double>getAs("probability_no")).isEqualTo(want.probabilities().get("no"));
            assertThat(r.<String>getAs("kiln_error")).isNull();
        });
        assertThat(spark.read().parquet(output.toString()).schema().apply("n").dataType().typeName())
                .as("input columns keep their types").isEqualTo("long");
    }

    @Test
    void csvInCsvOutWritesKilnPredictsText() throws Exception {
        Path output = dir.resolve("scores.csv");
        CliRun run = CliRun.of("predict", "--model", classifier.bundle().directory().toString(),
                "--input", data.toString(), "--output", output.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("scored 1200 rows with gbdt model ").contains("wrote " + output);
        List<String> header = Files.readAllLines(partFiles(output, ".csv").get(0)).subList(0, 1);
        assertThat(header).containsExactly("id,x,n,city,member,label,amount,prediction,probability_no,probability_yes,kiln_error");
        List<Row> rows = spark.read().option("header", "true").csv(output.toString()).collectAsList();
        assertThat(rows).hasSize(expected.size()).allSatisfy(r -> {
            Prediction want = expected.get(r.<String>getAs("id"));
            assertThat(r.<String>getAs("prediction")).isEqualTo(want.prediction());
            // kiln predict writes Double.toString of each probability: the same text here
            assertThat(r.<String>getAs("probability_yes")).isEqualTo(Double.toString(want.probabilities().get("yes")));
            assertThat(r.<String>getAs("kiln_error")).isNull();
        });

        CliRun again = CliRun.of("predict", "--model", classifier.bundle().directory().toString(),
                "--input", data.toString(), "--output", output.toString());
        assertThat(again.exitCode()).isEqualTo(4);
        CliRun overwrite = CliRun.of("predict", "--model", classifier.bundle().directory().toString(),
                "--input", data.toString(), "--output", output.toString(), "--overwrite");
        assertThat(overwrite.exitCode()).as(overwrite.err()).isZero();
    }

    @Test
    void jsonLinesWithABadRowReportItInItsErrorColumn() throws Exception {
        Path input = Files.writeString(dir.resolve("rows.jsonl"), """
                {"id": "a", "x": 0.5, "n": 3, "city": "c1", "member": true}
                {"id": "b", "x": "abc", "n": 3, "city": "c1", "member": true}
                {"id": "c", "x": -1.5, "n": 7, "city": "c4", "member": false}
                """);
        Path output = dir.resolve("scores.json");
        Map<String, Object> summary = summary(CliRun.of("predict", "--model", classifier.bundle().directory().toString(),
                "--input", input.toString(), "--output", output.toString(), "--json", "--master", "local[2]"));
        assertThat(summary).containsEntry("rows", 3).containsEntry("errors", 1).containsEntry("master", "local[2]");
        List<String> lines = Files.readAllLines(partFiles(output, ".json").get(0));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("\"kiln_error\":null").contains("\"prediction\":\""
                + classifier.predict(Map.of("x", 0.5, "n", 3, "city", "c1", "member", true)).prediction() + "\"");
        assertThat(lines.get(1)).contains("\"prediction\":null",
                "\"kiln_error\":\"value_invalid: column 'x': value 'abc' is not a number\"");
    }

    @Test
    void aRegistryReferenceScoresAsTheBundlePathAndAnUnknownAliasIsNotFound() throws Exception {
        Path home = dir.resolve("kiln-home");
        try (KilnStore store = KilnStore.open(home, null)) {  // SQLite, HOME/kiln.db
            ModelVersion v = store.registry().register("credit", classifier.bundle().directory(), null, "test", null);
            store.registry().setAlias("credit", "staging", v.version(), "test", null, Map.of());
        }
        Path byPath = dir.resolve("by-path.json");
        Path byAlias = dir.resolve("by-alias.json");
        assertThat(summary(CliRun.of("predict", "--model", classifier.bundle().directory().toString(), "--input", data.toString(),
                "--output", byPath.toString(), "--json"))).containsEntry("rows", 1200);
        Map<String, Object> summary = summary(CliRun.of("predict", "--model", "credit@staging", "--home", home.toString(),
                "--input", data.toString(), "--output", byAlias.toString(), "--json"));
        assertThat(summary).containsEntry("rows", 1200).containsEntry("errors", 0);
        assertThat(spark.read().json(byAlias.toString()).collectAsList()).hasSize(1200)
                .containsExactlyInAnyOrderElementsOf(spark.read().json(byPath.toString()).collectAsList());
        assertThat(summary(CliRun.of("predict", "--model", "credit:1", "--store", "jdbc:sqlite:" + home.resolve("kiln.db"),
                "--home", home.toString(), "--input", data.toString(), "--output", dir.resolve("by-version.json").toString(),
                "--json"))).containsEntry("rows", 1200);

        CliRun unknown = CliRun.of("predict", "--model", "credit@canary", "--home", home.toString(), "--input", data.toString(),
                "--output", dir.resolve("never.json").toString());
        assertThat(unknown.exitCode()).as("as kiln predict: not found").isEqualTo(3);
        assertThat(unknown.err()).startsWith("error [model_not_found]: --model: model 'credit' has no alias 'canary'");
        assertThat(dir.resolve("never.json")).doesNotExist();
    }

    @Test
    void aMissingInputDirectoryUnderAUriIsNotFound() {
        CliRun run = CliRun.of("predict", "--model", classifier.bundle().directory().toString(),
                "--input", dir.resolve("absent.parquet").toUri().toString(), "--output", dir.resolve("o.parquet").toString());
        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).startsWith("error [file_not_found]: --input '");
    }

    private static List<Path> partFiles(Path output, String extension) throws Exception {
        try (Stream<Path> files = Files.list(output)) {
            return files.filter(p -> p.getFileName().toString().startsWith("part-")
                    && p.getFileName().toString().endsWith(extension) && sizeOf(p) > 0).sorted().toList();
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
