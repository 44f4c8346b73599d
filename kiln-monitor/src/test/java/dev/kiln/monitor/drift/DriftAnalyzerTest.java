package dev.kiln.monitor.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.profile.DatasetSketch;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftAnalyzerTest {
    static final Schema NUM = new Schema(List.of(new Field("x", ColumnType.NUMERIC, true)));
    static final Schema CAT = new Schema(List.of(new Field("c", ColumnType.CATEGORICAL, true)));

    static DatasetSketch normal(long seed, int n, double shift) {
        Random r = new Random(seed);
        DatasetSketch.Builder b = DatasetSketch.builder(NUM);
        for (int i = 0; i < n; i++) {
            b.addNumeric("x", r.nextGaussian() + shift);
        }
        return b.build();
    }

    static DatasetSketch categories(long seed, int n, double... shares) {
        Random r = new Random(seed);
        DatasetSketch.Builder b = DatasetSketch.builder(CAT);
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            int k = 0;
            while (k < shares.length - 1 && u >= shares[k]) {
                u -= shares[k];
                k++;
            }
            b.addCategory("c", "v" + k);
        }
        return b.build();
    }

    @Test
    void identicalSamplesDoNotDrift() {
        DatasetSketch a = normal(1, 5000, 0);
        DriftReport report = DriftAnalyzer.compare(a, a, DriftThresholds.defaults());
        FeatureDrift f = report.feature("x");
        assertThat(f.drift()).isFalse();
        assertThat(f.ksStatistic()).isZero();
        assertThat(f.ksPValue()).isEqualTo(1.0);
        assertThat(f.psi()).isZero();
        assertThat(report.datasetDrift()).isFalse();
        DatasetSketch c = categories(1, 1000, .5, .3, .2);
        FeatureDrift fc = DriftAnalyzer.compare(c, c, DriftThresholds.defaults()).feature("c");
        assertThat(fc.drift()).isFalse();
        assertThat(fc.chiSquarePValue()).isEqualTo(1.0);
        assertThat(fc.unseenShare()).isZero();
    }

    @Test
    void halfSdShiftAtFiveThousandDrifts() {
        DriftReport report = DriftAnalyzer.compare(normal(1, 5000, 0), normal(2, 5000, 0.5), DriftThresholds.defaults());
        FeatureDrift f = report.feature("x");
        assertThat(f.drift()).isTrue();
        assertThat(f.ksStatistic()).isBetween(0.15, 0.25); // population D = 2Φ(0.25) − 1 = 0.197
        assertThat(f.ksPValue()).isLessThan(1e-20);
        assertThat(f.ksMethod()).isEqualTo("asymptotic, sketch-conservative"); // 5000 values: the sketches compacted
        assertThat(f.reasons()).anyMatch(s -> s.startsWith("KS p-value")).anyMatch(s -> s.startsWith("KS statistic"));
        assertThat(report.driftedCount()).isEqualTo(1);
        assertThat(report.shareDrifted()).isEqualTo(1.0);
        assertThat(report.datasetDrift()).isTrue();
    }

    @Test
    void smallShiftAtAMillionIsSignificantButNotFlagged() {
        // 0.05 sd: population D = 2Φ(0.025) − 1 ≈ 0.02, far beyond the sketches' error, so p is tiny even on the
        // conservative D; but nobody should be paged for it.
        FeatureDrift f = DriftAnalyzer.compare(normal(1, 1_000_000, 0), normal(2, 1_000_000, 0.05),
                DriftThresholds.defaults()).feature("x");
        assertThat(f.ksPValue()).isLessThan(1e-6); // the test alone would flag it
        assertThat(f.ksStatistic()).isBetween(0.01, 0.03);
        assertThat(f.psi()).isLessThan(0.01);
        assertThat(f.drift()).isFalse();
        assertThat(f.reasons()).isEmpty();
    }

    @Test
    void smallNoisySamplesAreRarelyFlagged() {
        FeatureDrift f = DriftAnalyzer.compare(normal(11, 30, 0), normal(12, 30, 0), DriftThresholds.defaults()).feature("x");
        assertThat(f.ksMethod()).isEqualTo("exact");
        assertThat(f.drift()).isFalse();
        // PSI on 30 rows is noisy: often above 0.2 for the same distribution, which is why it never flags alone.
        int flagged = 0;
        int psiAlone = 0;
        for (int seed = 0; seed < 200; seed += 2) {
            FeatureDrift g = DriftAnalyzer.compare(normal(seed, 30, 0), normal(seed + 1, 30, 0),
                    DriftThresholds.defaults()).feature("x");
            flagged += g.drift() ? 1 : 0;
            psiAlone += g.psi() >= 0.2 ? 1 : 0;
        }
        assertThat(flagged).isLessThanOrEqualTo(10); // at most the 5% level, with slack
        assertThat(psiAlone).isGreaterThan(flagged);
    }

    @Test
    void categoricalShiftAndUnseenCategories() {
        DatasetSketch ref = categories(1, 5000, .5, .3, .2);
        FeatureDrift same = DriftAnalyzer.compare(ref, categories(2, 5000, .5, .3, .2), null).feature("c");
        assertThat(same.drift()).isFalse();
        assertThat(same.ksPValue()).isNull();
        FeatureDrift shifted = DriftAnalyzer.compare(ref, categories(3, 5000, .2, .3, .5), null).feature("c");
        assertThat(shifted.drift()).isTrue();
        assertThat(shifted.reasons()).anyMatch(s -> s.startsWith("PSI"));
        FeatureDrift unseen = DriftAnalyzer.compare(ref, categories(4, 5000, .45, .27, .18, .10), null).feature("c");
        assertThat(unseen.unseenShare()).isBetween(0.08, 0.12);
        assertThat(unseen.drift()).isTrue();
        assertThat(unseen.reasons()).anyMatch(s -> s.startsWith("unseen categories"));
        assertThat(unseen.chiSquareDof()).isEqualTo(3);
    }

    @Test
    void columnsOnOneSideTypeChangesAndAllMissing() {
        Schema refSchema = new Schema(List.of(new Field("a", ColumnType.NUMERIC, true),
                new Field("b", ColumnType.NUMERIC, true), new Field("gone", ColumnType.INTEGER, true),
                new Field("empty", ColumnType.NUMERIC, true)));
        Schema curSchema = new Schema(List.of(new Field("a", ColumnType.NUMERIC, true),
                new Field("b", ColumnType.CATEGORICAL, true), new Field("new", ColumnType.NUMERIC, true),
                new Field("empty", ColumnType.NUMERIC, true)));
        DatasetSketch.Builder r = DatasetSketch.builder(refSchema);
        DatasetSketch.Builder c = DatasetSketch.builder(curSchema);
        for (int i = 0; i < 100; i++) {
            r.addNumeric("a", i).addNumeric("b", i).addNumeric("gone", i).addNumeric("empty", i);
            c.addNumeric("a", i).addCategory("b", "x").addNumeric("new", i).addMissing("empty");
        }
        DriftReport report = DriftAnalyzer.compare(r.build(), c.build(), DriftThresholds.defaults());
        assertThat(report.missingInCurrent()).containsExactly("gone");
        assertThat(report.missingInReference()).containsExactly("new");
        assertThat(report.features()).extracting(FeatureDrift::name).containsExactly("a", "b", "empty");
        assertThat(report.feature("a").drift()).isFalse();
        assertThat(report.feature("b").drift()).isTrue();
        assertThat(report.feature("b").reasons()).containsExactly("type changed: numeric in the reference, categorical in the current data");
        assertThat(report.feature("empty").drift()).isTrue();
        assertThat(report.feature("empty").currentMissingShare()).isEqualTo(1.0);
        assertThat(report.driftedCount()).isEqualTo(2);
        assertThat(report.shareDrifted()).isCloseTo(2.0 / 3, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(report.datasetDrift()).isTrue();
    }

    @Test
    void reportSerialisesWithSnakeCase() throws Exception {
        DriftReport report = DriftAnalyzer.compare(normal(1, 500, 0), normal(2, 500, 1), DriftThresholds.defaults());
        String json = Json.mapper().writeValueAsString(report);
        JsonNode node = Json.mapper().readTree(json);
        assertThat(node.has("drifted_count")).isTrue();
        assertThat(node.has("share_drifted")).isTrue();
        assertThat(node.has("dataset_drift")).isTrue();
        assertThat(node.get("thresholds").get("ks_p_value").asDouble()).isEqualTo(0.05);
        JsonNode f = node.get("features").get(0);
        assertThat(f.has("ks_statistic")).isTrue();
        assertThat(f.has("ks_p_value")).isTrue();
        assertThat(f.has("reference_missing_share")).isTrue();
        assertThat(f.has("chi_square")).isFalse(); // null for numeric, left out
        DriftReport back = Json.mapper().readValue(json, DriftReport.class);
        assertThat(back).isEqualTo(report);
    }
}
