package dev.kiln.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.monitor.logs.LogFiles;
import dev.kiln.monitor.logs.LogWindow;
import dev.kiln.monitor.logs.PredictionLogReader;
import dev.kiln.monitor.performance.PerformanceReport.Comparison;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Versions compared with confidence intervals and p-values; reference values from scipy.stats.norm. */
class ComparisonsTest {
    @TempDir
    Path logs;

    @Test
    void twoProportionsAsScipyComputesThem() {
        // scipy: d ± norm.ppf(0.975) * unpooled se; 2 * norm.sf(|d| / pooled se)
        Comparison c = Comparisons.proportions("2", false, "1", 0.74, 500, 0.70, 800);
        assertThat(c.difference()).isCloseTo(0.04, within(1e-12));
        assertThat(c.ciLow()).isCloseTo(-0.00986558226507843, within(1e-12));
        assertThat(c.ciHigh()).isCloseTo(0.0898655822650785, within(1e-12));
        assertThat(c.pValue()).isCloseTo(0.11995550641325746, within(1e-9));
    }

    @Test
    void twoMeansAsScipyComputesThem() {
        Comparison c = Comparisons.means("2", false, "1", "reward_mean", 0.62, 0.3, 400, 0.55, 0.35, 900);
        assertThat(c.ciLow()).isCloseTo(0.032754953845800676, within(1e-12));
        assertThat(c.ciHigh()).isCloseTo(0.10724504615419922, within(1e-12));
        assertThat(c.pValue()).isCloseTo(0.00022992358584010797, within(1e-9));
        assertThat(Comparisons.pValue(0, 0)).isEqualTo(1.0);
        assertThat(Comparisons.pValue(0.1, 0)).isZero();
    }

    /** The interval holds the difference, is symmetric about it, and p < 0.05 exactly when it excludes 0 (same se). */
    @Property(tries = 300)
    void intervalsAndPValuesAgree(@ForAll @DoubleRange(min = -1, max = 1) double m1, @ForAll @DoubleRange(min = 0.01, max = 2) double s1,
                                  @ForAll @LongRange(min = 2, max = 100_000) long n1, @ForAll @DoubleRange(min = -1, max = 1) double m2,
                                  @ForAll @DoubleRange(min = 0.01, max = 2) double s2, @ForAll @LongRange(min = 2, max = 100_000) long n2) {
        Comparison c = Comparisons.means("a", false, "b", "reward_mean", m1, s1, n1, m2, s2, n2);
        assertThat(c.ciLow()).isLessThanOrEqualTo(c.difference());
        assertThat(c.ciHigh()).isGreaterThanOrEqualTo(c.difference());
        assertThat(c.difference() - c.ciLow()).isCloseTo(c.ciHigh() - c.difference(), within(1e-9));
        assertThat(c.pValue()).isBetween(0.0, 1.0);
        boolean excludesZero = c.ciLow() > 0 || c.ciHigh() < 0;
        if (Math.abs(c.pValue() - 0.05) > 1e-6) {
            assertThat(c.pValue() < 0.05).isEqualTo(excludesZero);
        }
    }

    /** A canary (version 2, fewer rows) and a shadow (7) against the version with the most predictions (1). */
    @Test
    void theReportComparesEveryVersionAndShadowWithTheBusiestVersion() throws Exception {
        List<String> predictions = new ArrayList<>();
        List<String> shadow = new ArrayList<>();
        List<String> feedback = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String version = i % 3 == 0 ? "2" : "1";
            predictions.add(LogFiles.prediction("r" + i, "2026-11-01T01:00:00Z", version, 0, "{}", i % 2 == 0 ? "bad" : "good", 0.5));
            shadow.add(LogFiles.prediction("r" + i, "2026-11-01T01:00:00Z", "7", 0, "{}", "bad", 0.5));
            feedback.add(LogFiles.label("r" + i, "2026-11-02T00:00:00Z", i % 4 == 0 ? "bad" : "good"));
        }
        LogFiles.write(logs, "credit", "predictions", "20261101-000000", 1, predictions);
        LogFiles.write(logs, "credit", "shadow", "20261101-000000", 1, shadow);
        LogFiles.write(logs, "credit", "feedback", "20261102-000000", 1, feedback);
        PerformanceReport report = PerformanceAnalyzer.analyze(new PredictionLogReader(logs, "credit"), LogWindow.ALL,
                PerformanceAnalyzerTest.SPEC);
        assertThat(report.comparisons()).extracting(Comparison::version).containsExactly("2", "7");
        Comparison canary = report.comparisons().get(0);
        assertThat(canary.against()).isEqualTo("1");
        assertThat(canary.shadow()).isFalse();
        assertThat(canary.n()).isEqualTo(100);
        assertThat(canary.againstN()).isEqualTo(200);
        assertThat(canary.value()).isEqualTo(report.versions().get(1).metrics().get("accuracy"));
        Comparison shadowed = report.comparisons().get(1);
        assertThat(shadowed.shadow()).isTrue();
        assertThat(shadowed.value()).isEqualTo(0.25); // "bad" for every row, a quarter of them bad
        assertThat(shadowed.pValue()).isLessThan(0.05);
    }
}
