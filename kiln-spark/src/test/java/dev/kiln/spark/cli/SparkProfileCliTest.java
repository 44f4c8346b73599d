package dev.kiln.spark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.data.DataReader;
import dev.kiln.data.Profiler;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.spark.LocalSpark;
import dev.kiln.spark.sketch.DriftData;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln spark profile} end to end on local[2]: the JSON of kiln data profile --json, and the text table. */
@Tag("slow")
class SparkProfileCliTest {
    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("SparkProfileCliTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonIsKilnDataProfilesShapeWithItsFigures() throws Exception {
        List<String> rows = DriftData.rows(5_000, 9, false);
        Path csv = DriftData.csv(dir.resolve("rows.csv"), rows);
        Path parquet = dir.resolve("rows.parquet");
        spark.read().option("header", "true").csv(csv.toString()).repartition(3)
                .selectExpr("cast(x as double) as x", "cast(n as int) as n", "city", "cast(member as boolean) as member",
                        "flag", "day", "score")
                .write().parquet(parquet.toString());
        CliRun run = CliRun.of("profile", "--data", parquet.toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> json = Json.mapper().readValue(run.out(), Map.class);
        assertThat(json).containsEntry("rows", 5_000).containsEntry("source", parquet.toAbsolutePath().normalize().toString())
                .doesNotContainKey("sha256");
        DatasetProfile profile = Json.mapper().readValue(run.out(), DatasetProfile.class);
        DatasetProfile kiln = Profiler.profile(DataReader.read(csv));
        for (ColumnProfile k : kiln.columns()) {
            ColumnProfile s = profile.column(k.name()).orElseThrow();
            assertThat(s.type()).as(k.name()).isEqualTo(k.type());
            assertThat(s.count()).as(k.name()).isEqualTo(k.count());
            assertThat(s.missing()).as(k.name()).isEqualTo(k.missing());
            assertThat(s.topCategories()).as(k.name()).isEqualTo(k.topCategories());
            if (k.mean() != null) {
                assertThat(s.min()).isEqualTo(k.min());
                assertThat(s.max()).isEqualTo(k.max());
                assertThat(s.mean()).as(k.name()).isCloseTo(k.mean(), within(1e-9 * Math.abs(k.mean())));
                assertThat(s.quantiles()).containsOnlyKeys(k.quantiles().keySet());
            }
        }
        CliRun text = CliRun.of("profile", "--data", parquet.toString());
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("5000 rows, 7 columns", "column", "distinct", "city", "categorical", "true ");
    }
}
