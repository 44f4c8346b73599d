package dev.kiln.spark.sketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.NumericColumn;
import dev.kiln.data.Profiler;
import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.profile.QuantileSketch;
import dev.kiln.spark.LocalSpark;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Profiles merged from Spark partitions against kiln-data's Profiler (what kiln data profile runs) on the same rows:
 * the exact fields equal, mean and standard deviation to 1e-9 relative, quantiles and histograms within the quantile
 * sketch's documented rank error, and all of them equal while the sketches hold every value.
 */
@Tag("slow")
class SparkProfileTest {
    private static final double EPS = QuantileSketch.rankErrorBound(QuantileSketch.DEFAULT_K);

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("SparkProfileTest");
        spark.conf().set("spark.sql.files.maxPartitionBytes", "262144");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static DatasetProfile sparkProfile(Path parts) {
        return SparkProfiles.profile(parts.toString(), SparkSketcher.sketchWithDistinct(
                spark.read().option("header", "true").option("inferSchema", "false").csv(parts.toString())));
    }

    @Test
    void largeDataGivesProfilersExactFieldsAndQuantilesWithinTheRankError() throws Exception {
        List<String> rows = DriftData.rows(30_000, 7, false);
        Path csv = DriftData.csv(dir.resolve("large.csv"), rows);
        Path parts = DriftData.parts(dir.resolve("large-parts"), rows, 3);
        DataFrame frame = DataReader.read(csv);
        DatasetProfile kiln = Profiler.profile(frame);
        DatasetProfile spark = sparkProfile(parts);

        assertThat(spark.rows()).isEqualTo(kiln.rows());
        assertThat(spark.columns()).extracting(ColumnProfile::name).isEqualTo(kiln.columns().stream().map(ColumnProfile::name).toList());
        for (ColumnProfile s : spark.columns()) {
            ColumnProfile k = kiln.column(s.name()).orElseThrow();
            assertExactFields(s, k);
            assertThat(s.distinct()).as(s.name() + " distinct").isCloseTo(k.distinct(), within(1 + k.distinct() / 20));
            if (s.mean() == null) {
                continue;
            }
            double[] sorted = Arrays.stream(((NumericColumn) frame.column(s.name())).values()).filter(v -> !Double.isNaN(v))
                    .sorted().toArray();
            s.quantiles().forEach((key, value) -> {
                double q = Integer.parseInt(key.substring(1)) / 100.0;
                // The rank of the value in the real data is within the rank error of q.
                double atOrBelow = (double) SortedCounts.atMost(sorted, value) / sorted.length;
                double below = (double) SortedCounts.below(sorted, value) / sorted.length;
                assertThat(atOrBelow).as(s.name() + " " + key).isGreaterThanOrEqualTo(q - EPS - 1.0 / sorted.length);
                assertThat(below).as(s.name() + " " + key).isLessThanOrEqualTo(q + EPS + 1.0 / sorted.length);
            });
            assertThat(s.histogram().edges()).as(s.name()).isEqualTo(k.histogram().edges());
            assertThat(Arrays.stream(s.histogram().counts()).sum()).isEqualTo(k.count());
            long[] sc = s.histogram().counts();
            long[] kc = k.histogram().counts();
            for (int i = 0; i < kc.length; i++) {
                assertThat((double) sc[i]).as(s.name() + " bin " + i).isCloseTo(kc[i], within(2 * EPS * k.count() + 1));
            }
        }
    }

    @Test
    void smallDataGivesProfilersFiguresExactly() throws Exception {
        List<String> rows = DriftData.rows(900, 8, false);
        Path csv = DriftData.csv(dir.resolve("small.csv"), rows);
        Path parts = DriftData.parts(dir.resolve("small-parts"), rows, 3);
        DatasetProfile kiln = Profiler.profile(DataReader.read(csv));
        DatasetProfile spark = sparkProfile(parts);
        for (ColumnProfile s : spark.columns()) {
            ColumnProfile k = kiln.column(s.name()).orElseThrow();
            assertExactFields(s, k);
            assertThat(s.distinct()).as(s.name() + " distinct").isEqualTo(k.distinct());
            assertThat(s.quantiles()).as(s.name()).isEqualTo(k.quantiles());
            if (k.histogram() != null) {
                assertThat(s.histogram().edges()).isEqualTo(k.histogram().edges());
                assertThat(s.histogram().counts()).as(s.name()).isEqualTo(k.histogram().counts());
            }
        }
    }

    private static void assertExactFields(ColumnProfile s, ColumnProfile k) {
        assertThat(s.type()).as(s.name()).isEqualTo(k.type());
        assertThat(s.count()).as(s.name()).isEqualTo(k.count());
        assertThat(s.missing()).as(s.name()).isEqualTo(k.missing());
        assertThat(s.min()).as(s.name()).isEqualTo(k.min());
        assertThat(s.max()).as(s.name()).isEqualTo(k.max());
        assertThat(s.topCategories()).as(s.name()).isEqualTo(k.topCategories());
        if (k.mean() != null) {
            assertThat(s.mean()).as(s.name() + " mean").isCloseTo(k.mean(), within(1e-9 * Math.abs(k.mean())));
            assertThat(s.std()).as(s.name() + " std").isCloseTo(k.std(), within(1e-9 * k.std()));
        }
    }
}
