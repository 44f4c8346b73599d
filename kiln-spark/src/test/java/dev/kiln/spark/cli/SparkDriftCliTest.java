package dev.kiln.spark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.ReadOptions;
import dev.kiln.data.Sketcher;
import dev.kiln.monitor.drift.DriftAnalyzer;
import dev.kiln.monitor.drift.DriftReport;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.spark.LocalSpark;
import dev.kiln.spark.sketch.DriftData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln spark drift} end to end on local[2]: CSV part files and Parquet, the JSON report of kiln drift. */
@Tag("slow")
class SparkDriftCliTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path referenceCsv;
    static Path currentCsv;
    static Path referenceParts;
    static Path currentParts;
    static List<String> current;

    @BeforeAll
    static void start() throws Exception {
        List<String> reference = DriftData.rows(12_000, 3, false);
        current = DriftData.rows(9_000, 4, true);
        referenceCsv = DriftData.csv(dir.resolve("reference.csv"), reference);
        currentCsv = DriftData.csv(dir.resolve("current.csv"), current);
        referenceParts = DriftData.parts(dir.resolve("reference-parts"), reference, 3);
        currentParts = DriftData.parts(dir.resolve("current-parts"), current, 2);
        spark = LocalSpark.start("SparkDriftCliTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> report(CliRun run) throws Exception {
        assertThat(run.exitCode()).as(run.err()).isZero();
        return Json.mapper().readValue(run.out(), Map.class);
    }

    /** What kiln drift --json says of the same rows: its features, and which drifted. */
    private static DriftReport kilnDrift() {
        Sketcher.Typed ref = Sketcher.sketchWithTypes(referenceCsv, ReadOptions.defaults());
        Map<String, ColumnType> types = new HashMap<>();
        ref.types().forEach((name, type) -> types.put(name, type == ColumnType.INTEGER ? ColumnType.NUMERIC : type));
        return DriftAnalyzer.compare(ref.sketch(), Sketcher.sketch(currentCsv, ReadOptions.defaults().withTypes(types)));
    }

    @SuppressWarnings("unchecked")
    private static List<String> drifted(Map<String, Object> report) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> f : (List<Map<String, Object>>) report.get("features")) {
            if (Boolean.TRUE.equals(f.get("drift"))) {
                out.add((String) f.get("name"));
            }
        }
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void csvPartFilesGiveKilnDriftsReport() throws Exception {
        Map<String, Object> report = report(CliRun.of("drift", "--reference", referenceParts.toString(),
                "--current", currentParts.toString(), "--format", "csv", "--json"));
        DriftReport kiln = kilnDrift();
        assertThat(report).containsKeys("reference", "current", "dataset_drift", "drifted_count", "share_drifted",
                "features", "missing_in_current", "missing_in_reference", "thresholds").doesNotContainKey("type_problems");
        assertThat((Map<String, Object>) report.get("reference")).containsEntry("kind", "dataset").containsEntry("rows", 12_000)
                .containsEntry("path", referenceParts.toAbsolutePath().normalize().toString());
        assertThat((Map<String, Object>) report.get("current")).containsEntry("rows", 9_000);
        assertThat(drifted(report)).isEqualTo(kiln.features().stream().filter(FeatureDrift::drift).map(FeatureDrift::name).toList())
                .containsExactlyInAnyOrder("x", "city");
        assertThat(report).containsEntry("dataset_drift", kiln.datasetDrift()).containsEntry("drifted_count", 2);
        Map<String, Object> city = ((List<Map<String, Object>>) report.get("features")).stream()
                .filter(f -> f.get("name").equals("city")).findFirst().orElseThrow();
        FeatureDrift kilnCity = kiln.feature("city");
        assertThat(city).containsKeys("psi", "chi_square_p_value", "unseen_share", "reasons", "reference_missing_share");
        assertThat(((Number) city.get("psi")).doubleValue()).isCloseTo(kilnCity.psi(), org.assertj.core.api.Assertions.within(1e-9));
        assertThat(((Number) city.get("unseen_share")).doubleValue()).isEqualTo(kilnCity.unseenShare());
    }

    @Test
    void typedParquetAgainstCsvTextIsComparedWithTheReferencesTypes() throws Exception {
        Path parquet = dir.resolve("current.parquet");
        spark.read().option("header", "true").csv(currentParts.toString())
                .selectExpr("cast(x as double) as x", "cast(n as long) as n", "city", "cast(member as boolean) as member",
                        "flag", "cast(day as date) as day", "score")
                .write().parquet(parquet.toString());
        Map<String, Object> report = report(CliRun.of("drift", "--reference", referenceParts.toString(),
                "--reference-format", "csv", "--current", parquet.toString(), "--json"));
        assertThat(report).doesNotContainKey("type_problems");
        assertThat(drifted(report)).containsExactlyInAnyOrder("x", "city");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aColumnThatNoLongerFitsItsTypeIsATypeProblemAndTheOthersAreStillCompared() throws Exception {
        List<String> broken = new ArrayList<>(current);
        broken.set(5, "abc" + broken.get(5).substring(broken.get(5).indexOf(',')));
        Path brokenCsv = DriftData.csv(dir.resolve("broken.csv"), broken);
        CliRun run = CliRun.of("drift", "--reference", referenceParts.toString(), "--current", brokenCsv.toString(),
                "--format", "csv", "--json", "--fail-on-drift", "--dataset-drift-share", "0.25");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(dev.kiln.monitor.drift.DriftOptions.EXIT_DRIFT);
        Map<String, Object> report = Json.mapper().readValue(run.out(), Map.class);
        assertThat((List<Map<String, Object>>) report.get("type_problems")).singleElement()
                .satisfies(p -> assertThat(p).containsEntry("column", "x")
                        .containsEntry("message", "column 'x': value 'abc' is not a number"));
        Map<String, Object> x = ((List<Map<String, Object>>) report.get("features")).get(0);
        assertThat(x).containsEntry("name", "x").containsEntry("drift", true)
                .containsEntry("reasons", List.of("type problem: column 'x': value 'abc' is not a number"));
        assertThat(drifted(report)).contains("city");

        CliRun text = CliRun.of("drift", "--reference", referenceParts.toString(), "--current", brokenCsv.toString(),
                "--format", "csv");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("reference: dataset " + referenceParts.toAbsolutePath().normalize() + " (12000 rows)",
                "current:   dataset " + brokenCsv.toAbsolutePath().normalize() + " (9000 rows)",
                "feature", "KS D", "DRIFT", "type problem in x (compared as categories)",
                "features drifted");
    }

    /**
     * A model as the reference (its bundle directory, or its registry reference): its training data's sketch against the
     * current data sketched on Spark, as kiln drift --reference MODEL --current PATH compares them.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aModelAsTheReferenceComparesItsTrainingDataSketch() throws Exception {
        dev.kiln.train.TrainingReport trained = dev.kiln.train.Training.run(dev.kiln.train.TrainOptions.defaults(referenceCsv,
                        "flag", dir.resolve("bundle")).withAlgorithms(List.of("linear"))
                .withTuning(new dev.kiln.train.Tuning(java.time.Duration.ZERO, null, null, null)), dev.kiln.train.ProgressListener.NONE);
        Path bundle = Path.of(trained.bundle());
        dev.kiln.runtime.profile.DatasetSketch features = dev.kiln.runtime.KilnModel.load(bundle).bundle().referenceSketch().features();
        Map<String, ColumnType> types = new HashMap<>();
        features.schema().fields().forEach(f -> types.put(f.name(), f.type() == ColumnType.INTEGER ? ColumnType.NUMERIC : f.type()));
        DriftReport kiln = DriftAnalyzer.compare(features, Sketcher.sketch(currentCsv, ReadOptions.defaults().withTypes(types)));

        Map<String, Object> byPath = report(CliRun.of("drift", "--reference", bundle.toString(), "--current",
                currentParts.toString(), "--format", "csv", "--json"));
        assertThat((Map<String, Object>) byPath.get("reference")).containsEntry("kind", "model")
                .containsEntry("model", bundle.toString()).containsEntry("rows", (int) features.rows());
        assertThat(drifted(byPath)).isEqualTo(kiln.features().stream().filter(FeatureDrift::drift).map(FeatureDrift::name).toList())
                .contains("x", "city").doesNotContain("flag");

        Path home = dir.resolve("home");
        try (dev.kiln.store.KilnStore store = dev.kiln.store.KilnStore.open(home, null)) {
            store.registry().register("flags", bundle, null, "test", null);
        }
        Map<String, Object> byName = report(CliRun.of("drift", "--reference", "flags:1", "--home", home.toString(),
                "--current", currentParts.toString(), "--format", "csv", "--json"));
        assertThat((Map<String, Object>) byName.get("reference")).containsEntry("model", "flags:1");
        assertThat(byName.get("features")).isEqualTo(byPath.get("features"));

        CliRun unknown = CliRun.of("drift", "--reference", "nosuch@production", "--home", home.toString(),
                "--current", currentParts.toString(), "--format", "csv");
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err()).contains("--reference").contains("nosuch");
    }
}
