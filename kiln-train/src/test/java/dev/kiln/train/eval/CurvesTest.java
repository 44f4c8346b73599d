package dev.kiln.train.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CurvesTest {
    /**
     * 500 rows: score floor(u * 100) / 100 (99 distinct values, many ties), label 1 when a second draw is below the score.
     * The reference values are scikit-learn 1.2 (Debian's python3-sklearn) on the same rows, built by the same {@link Lcg}:
     * <pre>
     * g = Lcg(2026); p, y = [], []
     * for i in range(500):
     *     s = math.floor(g.next() * 100) / 100; p.append(s); y.append(1 if g.next() &lt; s else 0)
     * roc_auc_score(y, p)            # 0.8647978367653884
     * average_precision_score(y, p)  # 0.87103516600954
     * roc_curve(y, p, drop_intermediate=False)  # 100 points; the second: fpr 0.0, tpr 0.012048192771084338, threshold 0.99
     * </pre>
     */
    @Test
    void areasFromThePointsMatchScikitLearnAndTheReportedMetrics() {
        Lcg g = new Lcg(2026);
        int[] y = new int[500];
        double[] p = new double[500];
        for (int i = 0; i < 500; i++) {
            p[i] = Math.floor(g.next() * 100) / 100;
            y[i] = g.next() < p[i] ? 1 : 0;
        }
        Curves c = Curves.of(y, p);
        assertThat(c.positives()).isEqualTo(249);
        assertThat(c.rows()).isEqualTo(500);
        assertThat(c.roc().auc()).isCloseTo(0.8647978367653884, within(1e-6));
        assertThat(c.pr().averagePrecision()).isCloseTo(0.87103516600954, within(1e-6));
        var metrics = Metrics.binary(y, p, 0.5);
        assertThat(c.roc().auc()).isCloseTo(metrics.get("roc_auc"), within(1e-12));
        assertThat(c.pr().averagePrecision()).isCloseTo(metrics.get("pr_auc"), within(1e-12));

        assertThat(c.roc().fpr()).hasSize(100);
        assertThat(c.roc().fpr().get(1)).isEqualTo(0.0);
        assertThat(c.roc().tpr().get(1)).isCloseTo(0.012048192771084338, within(1e-15));
        assertThat(c.roc().thresholds().get(1)).isEqualTo(0.99);
        assertThat(c.roc().thresholds().get(0)).isNull();
        assertThat(c.roc().fpr().get(99)).isEqualTo(1.0);
        assertThat(c.roc().tpr().get(99)).isEqualTo(1.0);
        assertThat(c.pr().recall().get(0)).isEqualTo(0.0);
        assertThat(c.pr().precision().get(0)).isEqualTo(1.0);
        assertThat(c.pr().precision().get(99)).isCloseTo(249 / 500.0, within(1e-15));
    }

    @Test
    void manyDistinctScoresAreDownsampledToTwoHundredPointsKeepingBothEnds() {
        Lcg g = new Lcg(7);
        int n = 5000;
        int[] y = new int[n];
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = g.next();
            y[i] = g.next() < p[i] ? 1 : 0;
        }
        Curves c = Curves.of(y, p);
        assertThat(c.roc().fpr()).hasSize(Curves.MAX_POINTS);
        assertThat(c.roc().tpr()).hasSize(Curves.MAX_POINTS);
        assertThat(c.pr().recall()).hasSize(Curves.MAX_POINTS);
        assertThat(c.roc().fpr().get(0)).isEqualTo(0.0);
        assertThat(c.roc().fpr().get(Curves.MAX_POINTS - 1)).isEqualTo(1.0);
        assertThat(c.pr().recall().get(Curves.MAX_POINTS - 1)).isEqualTo(1.0);
        // The areas are of the whole curve, not of the points kept.
        assertThat(c.roc().auc()).isCloseTo(Metrics.binary(y, p, 0.5).get("roc_auc"), within(1e-12));
        for (int i = 1; i < Curves.MAX_POINTS; i++) {
            assertThat(c.roc().fpr().get(i)).isGreaterThanOrEqualTo(c.roc().fpr().get(i - 1));
            assertThat(c.roc().tpr().get(i)).isGreaterThanOrEqualTo(c.roc().tpr().get(i - 1));
        }
    }

    @Test
    void calibrationBinsCountEveryRowWithTheObservedRateInsideItsInterval() {
        int[] y = {0, 0, 1, 1, 1, 0, 1, 1};
        double[] p = {0.05, 0.08, 0.12, 0.55, 0.58, 0.51, 0.95, 1.0};
        Curves c = Curves.of(y, p);
        List<Curves.CalibrationBin> bins = c.calibration();
        assertThat(bins).extracting(Curves.CalibrationBin::lower).containsExactly(0.0, 0.1, 0.5, 0.9);
        assertThat(bins.stream().mapToInt(Curves.CalibrationBin::rows).sum()).isEqualTo(8);
        Curves.CalibrationBin middle = bins.get(2);
        assertThat(middle.rows()).isEqualTo(3);
        assertThat(middle.observedRate()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(middle.meanPredicted()).isCloseTo((0.55 + 0.58 + 0.51) / 3, within(1e-12));
        for (Curves.CalibrationBin b : bins) {
            assertThat(b.observedInterval().get(0)).isLessThanOrEqualTo(b.observedRate());
            assertThat(b.observedInterval().get(1)).isGreaterThanOrEqualTo(b.observedRate());
        }
        // p = 1.0 falls in the last bin, which is closed.
        assertThat(bins.get(3).rows()).isEqualTo(2);
    }

    @Test
    void oneClassHasNoCurve() {
        assertThat(Curves.of(new int[] {1, 1}, new double[] {0.2, 0.9})).isNull();
        assertThat(Curves.of(new int[] {0, 0}, new double[] {0.2, 0.9})).isNull();
    }

    @Test
    void wilsonIntervalsMatchTheTextbookFormula() {
        // (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.96: 8 of 10 -> 0.4901624 .. 0.9433178 (Python, by hand)
        assertThat(Intervals.wilson(8, 10).get(0)).isCloseTo(0.4901624, within(1e-6));
        assertThat(Intervals.wilson(8, 10).get(1)).isCloseTo(0.9433178, within(1e-6));
        assertThat(Intervals.wilson(0, 20).get(0)).isEqualTo(0.0);
        assertThat(Intervals.wilson(0, 20).get(1)).isCloseTo(0.1611251, within(1e-6));
        assertThat(Intervals.wilson(3, 0)).allMatch(v -> v.isNaN());
    }
}
