package dev.kiln.spark.sketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.ReadOptions;
import dev.kiln.data.Sketcher;
import dev.kiln.monitor.drift.DriftAnalyzer;
import dev.kiln.monitor.drift.DriftReport;
import dev.kiln.monitor.drift.FeatureDrift;
import dev.kiln.runtime.profile.ColumnSketch;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.spark.LocalSpark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sketches merged from Spark partitions against kiln drift's own single-machine path (kiln-data's Sketcher, then
 * kiln-monitor's DriftAnalyzer, as kiln-app's DriftCommand calls them) on the same rows: exact counts, missing values,
 * types, minimums, maximums and categories; quantile sketches within QuantileSketch's documented rank error; the same
 * drift statistics within what that error allows, and the same features flagged.
 */
@Tag("slow")
class SparkDriftTest {
    /** The documented rank error of one sketch at the default k (about 0.35%). */
    private static final double EPS = QuantileSketch.rankErrorBound(QuantileSketch.DEFAULT_K);

    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path referenceCsv;
    static Path currentCsv;
    static Path referenceParts;
    static Path currentParts;

    @BeforeAll
    static void start() throws Exception {
        List<String> reference = DriftData.rows(24_000, 1, false);
        List<String> current = DriftData.rows(18_000, 2, true);
        referenceCsv = DriftData.csv(dir.resolve("reference.csv"), reference);
        currentCsv = DriftData.csv(dir.resolve("current.csv"), current);
        referenceParts = DriftData.parts(dir.resolve("reference-parts"), reference, 4);
        currentParts = DriftData.parts(dir.resolve("current-parts"), current, 3);
        spark = LocalSpark.start("SparkDriftTest");
        // Small splits: Spark cuts each part file into several partitions (at line ends), as it cuts a large file.
        spark.conf().set("spark.sql.files.maxPartitionBytes", "262144");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Dataset<Row> csv(Path path) {
        return spark.read().option("header", "true").option("inferSchema", "false").csv(path.toString());
    }

    /** kiln drift's path: the reference sketched with its inferred types, the current data with the reference's. */
    private static DatasetSketch[] singleMachine() {
        Sketcher.Typed ref = Sketcher.sketchWithTypes(referenceCsv, ReadOptions.defaults());
        Map<String, ColumnType> types = new HashMap<>();
        ref.types().forEach((name, type) -> types.put(name, type == ColumnType.INTEGER ? ColumnType.NUMERIC : type));
        return new DatasetSketch[] {ref.sketch(), Sketcher.sketch(currentCsv, ReadOptions.defaults().withTypes(types))};
    }

    @Test
    void partitionSketchesMergeToKilnsSketchWithinTheRankError() {
        Dataset<Row> input = csv(referenceParts);
        assertThat(input.rdd().getNumPartitions()).as("several partitions").isGreaterThanOrEqualTo(4);
        DatasetSketch spark = SparkSketcher.sketch(input).sketch();
        DatasetSketch kiln = Sketcher.sketch(referenceCsv, ReadOptions.defaults());
        DataFrame exact = DataReader.read(referenceCsv);

        assertThat(spark.rows()).isEqualTo(kiln.rows()).isEqualTo(24_000);
        assertThat(spark.schema()).isEqualTo(kiln.schema());
        assertThat(spark.column("flag").type()).as("yes/no is a boolean to Kiln").isEqualTo(ColumnType.BOOLEAN);
        assertThat(spark.column("day").type()).isEqualTo(ColumnType.DATETIME);
        assertThat(spark.column("n").type()).isEqualTo(ColumnType.INTEGER);
        for (ColumnSketch s : spark.columns()) {
            ColumnSketch k = kiln.column(s.name());
            assertThat(s.count()).as(s.name()).isEqualTo(k.count());
            assertThat(s.missing()).as(s.name()).isEqualTo(k.missing());
            if (!s.numeric()) {
                assertThat(s.categories().counts()).as(s.name()).isEqualTo(k.categories().counts());
                continue;
            }
            QuantileSketch q = s.quantiles();
            assertThat(q.min()).as(s.name()).isEqualTo(k.quantiles().min());
            assertThat(q.max()).as(s.name()).isEqualTo(k.quantiles().max());
            double[] sorted = Arrays.stream(((NumericColumn) exact.column(s.name())).values())
                    .filter(v -> !Double.isNaN(v)).sorted().toArray();
            for (int i = 0; i < 200; i++) {
                double x = sorted[(int) ((long) i * (sorted.length - 1) / 199)];
                double truth = (double) SortedCounts.atMost(sorted, x) / sorted.length;
                assertThat(q.cdf(x)).as(s.name() + " cdf at " + x).isCloseTo(truth, within(EPS));
            }
        }
    }

    @Test
    void driftOfMergedSketchesFlagsWhatKilnDriftFlags() {
        DatasetSketch[] kiln = singleMachine();
        DriftReport single = DriftAnalyzer.compare(kiln[0], kiln[1]);

        SparkSketcher.Sketched ref = SparkSketcher.sketch(csv(referenceParts));
        Map<String, ColumnType> types = new HashMap<>();
        ref.types().forEach((name, type) -> types.put(name, type == ColumnType.INTEGER ? ColumnType.NUMERIC : type));
        SparkSketcher.Sketched cur = SparkSketcher.sketch(csv(currentParts), types);
        assertThat(cur.typeProblems()).isEmpty();
        DriftReport distributed = DriftAnalyzer.compare(ref.sketch(), cur.sketch());

        assertThat(drifted(distributed)).isEqualTo(drifted(single)).containsExactlyInAnyOrder("x", "city");
        assertThat(distributed.datasetDrift()).isEqualTo(single.datasetDrift());
        assertThat(distributed.features()).hasSameSizeAs(single.features());
        for (FeatureDrift d : distributed.features()) {
            FeatureDrift s = single.feature(d.name());
            assertThat(d.type()).as(d.name()).isEqualTo(s.type());
            assertThat(d.referenceCount()).as(d.name()).isEqualTo(s.referenceCount());
            assertThat(d.currentCount()).as(d.name()).isEqualTo(s.currentCount());
            assertThat(d.referenceMissingShare()).as(d.name()).isEqualTo(s.referenceMissingShare());
            assertThat(d.currentMissingShare()).as(d.name()).isEqualTo(s.currentMissingShare());
            if (d.type().equals(FeatureDrift.NUMERIC)) {
                // Each side's cdf is within EPS of the truth in both computations: D within 4 EPS of kiln drift's.
                assertThat(d.ksStatistic()).as(d.name() + " KS D").isCloseTo(s.ksStatistic(), within(4 * EPS));
                // PSI over the reference's deciles: each bin's share moves by at most 2 EPS per side.
                assertThat(d.psi()).as(d.name() + " PSI").isCloseTo(s.psi(), within(0.01 + 0.05 * s.psi()));
            } else {
                // Category counts are exact: the same statistics to rounding.
                assertThat(d.psi()).as(d.name() + " PSI").isCloseTo(s.psi(), within(1e-12));
                assertThat(d.chiSquarePValue()).as(d.name() + " chi2 p").isCloseTo(s.chiSquarePValue(), within(1e-12));
                assertThat(d.unseenShare()).as(d.name()).isEqualTo(s.unseenShare());
            }
        }
    }

    private static List<String> drifted(DriftReport report) {
        return report.features().stream().filter(FeatureDrift::drift).map(FeatureDrift::name).toList();
    }
}
