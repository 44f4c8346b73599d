package dev.kiln.train.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private static final double TIGHT = 1e-12;

    @Test
    void binaryMatchesScikitLearnExample() {
        // The roc_auc_score / average_precision_score docstring example.
        Map<String, Double> m = Metrics.binary(new int[] {0, 0, 1, 1}, new double[] {0.1, 0.4, 0.35, 0.8}, 0.5);
        assertThat(m.keySet()).containsExactly("roc_auc", "pr_auc", "log_loss", "brier", "accuracy", "precision",
                "recall", "f1");
        assertThat(m.get("roc_auc")).isCloseTo(0.75, within(TIGHT));
        assertThat(m.get("pr_auc")).isCloseTo(0.8333333333333333, within(TIGHT));
        // By hand: -(ln .9 + ln .6 + ln .35 + ln .8) / 4
        double logLoss = -(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4;
        assertThat(m.get("log_loss")).isCloseTo(logLoss, within(TIGHT));
        assertThat(m.get("brier")).isCloseTo((0.01 + 0.16 + 0.4225 + 0.04) / 4, within(TIGHT));
        // Predicted positive only 0.8: tp 1, fp 0, fn 1.
        assertThat(m.get("accuracy")).isEqualTo(0.75);
        assertThat(m.get("precision")).isEqualTo(1.0);
        assertThat(m.get("recall")).isEqualTo(0.5);
        assertThat(m.get("f1")).isCloseTo(2.0 / 3.0, within(TIGHT));
    }

    @Test
    void namesListWhatEachTaskReportsAndCostIsLowerIsBetter() {
        double[][] two = {{0.2}, {0.7}, {0.6}};
        assertThat(Metrics.of(dev.kiln.runtime.Task.BINARY, new double[] {0, 1, 0}, two, 0.5).keySet())
                .containsExactlyElementsOf(Metrics.names(dev.kiln.runtime.Task.BINARY));
        double[][] three = {{0.2, 0.5, 0.3}, {0.7, 0.2, 0.1}, {0.1, 0.1, 0.8}};
        assertThat(Metrics.of(dev.kiln.runtime.Task.MULTICLASS, new double[] {1, 0, 2}, three, 0.5).keySet())
                .containsExactlyElementsOf(Metrics.names(dev.kiln.runtime.Task.MULTICLASS));
        assertThat(Metrics.of(dev.kiln.runtime.Task.REGRESSION, new double[] {1, 2, 4}, two, 0.5).keySet())
                .containsExactlyElementsOf(Metrics.names(dev.kiln.runtime.Task.REGRESSION));
        assertThat(Metrics.lowerIsBetter(BusinessCost.COST_PER_1000)).isTrue();
        assertThat(Metrics.lowerIsBetter("roc_auc")).isFalse();
        // 1 false positive (cost 1) and 1 false negative (cost 4) over 4 rows: 1.25 per row, 1,250 per 1,000.
        assertThat(BusinessCost.per1000(new int[] {0, 1, 0, 1}, new double[] {0.6, 0.4, 0.1, 0.9}, 0.5, new CostMatrix(1, 4)))
                .isEqualTo(1250.0);
    }

    @Test
    void tiedScoresCountHalf() {
        Map<String, Double> m = Metrics.binary(new int[] {0, 1, 0, 1}, new double[] {0.5, 0.5, 0.5, 0.5}, 0.5);
        assertThat(m.get("roc_auc")).isEqualTo(0.5);
        assertThat(m.get("pr_auc")).isEqualTo(0.5); // one threshold: recall 0 -> 1 at precision 1/2
        // Partial tie: positive 0.7 beats both negatives, positive 0.3 ties one negative (0.3), loses to 0.6.
        Map<String, Double> partial = Metrics.binary(new int[] {1, 1, 0, 0}, new double[] {0.7, 0.3, 0.3, 0.6}, 0.5);
        assertThat(partial.get("roc_auc")).isCloseTo((2 + 0.5) / 4, within(TIGHT));
    }

    @Test
    void imbalancedAndPerfect() {
        int[] y = {0, 0, 0, 0, 1};
        Map<String, Double> m = Metrics.binary(y, new double[] {0.1, 0.2, 0.3, 0.9, 0.8}, 0.5);
        assertThat(m.get("roc_auc")).isCloseTo(0.75, within(TIGHT));
        assertThat(m.get("pr_auc")).isCloseTo(0.5, within(TIGHT)); // recall reaches 1 at precision 1/2
        assertThat(m.get("precision")).isEqualTo(0.5);
        assertThat(m.get("recall")).isEqualTo(1.0);

        Map<String, Double> perfect = Metrics.binary(y, new double[] {0.0, 0.1, 0.2, 0.3, 1.0}, 0.5);
        assertThat(perfect.get("roc_auc")).isEqualTo(1.0);
        assertThat(perfect.get("pr_auc")).isEqualTo(1.0);
        assertThat(perfect.get("accuracy")).isEqualTo(1.0);
        assertThat(perfect.get("f1")).isEqualTo(1.0);
        // Probabilities of exactly 0 and 1 are clipped to eps and 1 - eps: a tiny but finite loss.
        assertThat(perfect.get("log_loss")).isFinite().isGreaterThan(0.0).isLessThan(0.2);
    }

    @Test
    void logLossClipsAtMachineEpsilon() {
        Map<String, Double> m = Metrics.binary(new int[] {1, 0}, new double[] {0.0, 0.0}, 0.5);
        assertThat(m.get("log_loss")).isCloseTo(-Math.log(Math.ulp(1.0)) / 2, within(1e-12));
        assertThat(-Math.log(Math.ulp(1.0))).isCloseTo(36.04365338911715, within(1e-12));
    }

    @Test
    void oneClassGivesNanRankingMetricsAndZeroDivisionGivesZero() {
        Map<String, Double> m = Metrics.binary(new int[] {1, 1, 1}, new double[] {0.2, 0.4, 0.9}, 0.95);
        assertThat(m.get("roc_auc")).isNaN();
        assertThat(m.get("pr_auc")).isNaN();
        assertThat(m.get("precision")).isEqualTo(0.0); // nothing predicted positive
        assertThat(m.get("recall")).isEqualTo(0.0);
        assertThat(m.get("f1")).isEqualTo(0.0);
        assertThat(Metrics.binary(new int[] {0, 0}, new double[] {0.2, 0.4}, 0.5).get("roc_auc")).isNaN();
    }

    @Test
    void binaryMatchesScikitLearnOnGeneratedData() {
        // Reference: scikit-learn 1.2.1 (Debian python3-sklearn), script /work/scratch/ref/ref.py:
        //   g = Lcg(42); for 300 rows: u, v = g.next(), g.next(); p = floor(u*20)/20; y = v < 0.15 + 0.6p
        //   roc_auc_score, average_precision_score, log_loss(eps='auto'), brier_score_loss, and the
        //   threshold-0.5 accuracy/precision/recall/f1 (zero_division=0).
        Lcg g = new Lcg(42);
        int n = 300;
        int[] y = new int[n];
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            double u = g.next();
            double v = g.next();
            p[i] = Math.floor(u * 20) / 20.0;
            y[i] = v < 0.15 + 0.6 * p[i] ? 1 : 0;
        }
        Map<String, Double> m = Metrics.binary(y, p, 0.5);
        assertThat(m.get("roc_auc")).isCloseTo(0.7193139581747348, within(TIGHT));
        assertThat(m.get("pr_auc")).isCloseTo(0.6665831162405702, within(TIGHT));
        assertThat(m.get("log_loss")).isCloseTo(0.9789562714798111, within(TIGHT));
        assertThat(m.get("brier")).isCloseTo(0.22400833333333334, within(TIGHT));
        assertThat(m.get("accuracy")).isCloseTo(0.6466666666666666, within(TIGHT));
        assertThat(m.get("precision")).isCloseTo(0.6013071895424836, within(TIGHT));
        assertThat(m.get("recall")).isCloseTo(0.6715328467153284, within(TIGHT));
        assertThat(m.get("f1")).isCloseTo(0.6344827586206896, within(TIGHT));
    }

    @Test
    void multiclassMatchesScikitLearnOnGeneratedData() {
        // Reference: scikit-learn 1.2.1, /work/scratch/ref/ref.py: g = Lcg(7); per row 4 values g.next()^2
        // normalised to sum 1; u = g.next(); y = argmax if u < 0.6 else floor(g.next()*4).
        // accuracy_score, f1_score(average=macro / weighted) of argmax, log_loss(eps='auto', labels=0..3).
        Lcg g = new Lcg(7);
        int n = 200;
        int k = 4;
        int[] y = new int[n];
        double[][] proba = new double[n][k];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int c = 0; c < k; c++) {
                double v = g.next();
                proba[i][c] = v * v;
                sum += proba[i][c];
            }
            int argmax = 0;
            for (int c = 0; c < k; c++) {
                proba[i][c] /= sum;
                if (proba[i][c] > proba[i][argmax]) {
                    argmax = c;
                }
            }
            y[i] = g.next() < 0.6 ? argmax : (int) (g.next() * k);
        }
        Map<String, Double> m = Metrics.multiclass(y, proba, k);
        assertThat(m.keySet()).containsExactly("accuracy", "f1_macro", "f1_weighted", "log_loss");
        assertThat(m.get("accuracy")).isCloseTo(0.685, within(TIGHT));
        assertThat(m.get("f1_macro")).isCloseTo(0.6848626692945219, within(TIGHT));
        assertThat(m.get("f1_weighted")).isCloseTo(0.685569726601981, within(TIGHT));
        assertThat(m.get("log_loss")).isCloseTo(1.2444398336768123, within(TIGHT));
    }

    @Test
    void macroF1AveragesOverTheUnionOfPresentLabels() {
        // Classes 3 and 4 appear neither in y nor in the predictions, so they are left out (sklearn's
        // default labels). Row 1 ties classes 0 and 1: the lowest index wins.
        int[] y = {0, 1, 2, 2};
        double[][] proba = {
                {0.4, 0.4, 0.2, 0, 0},
                {0.1, 0.2, 0.7, 0, 0},
                {0.1, 0.1, 0.8, 0, 0},
                {0.2, 0.1, 0.7, 0, 0}};
        Map<String, Double> m = Metrics.multiclass(y, proba, 5);
        // per class F1: class 0 = 1, class 1 = 0, class 2 = 2*2 / (2 + 3) = 0.8
        assertThat(m.get("accuracy")).isEqualTo(0.75);
        assertThat(m.get("f1_macro")).isCloseTo(1.8 / 3, within(TIGHT));
        assertThat(m.get("f1_weighted")).isCloseTo((1.0 + 0.0 + 2 * 0.8) / 4, within(TIGHT));
        // log loss: zeros clipped to eps, each row renormalised (a change of ~1e-16 here)
        double expected = -(Math.log(0.4) + Math.log(0.2) + Math.log(0.8) + Math.log(0.7)) / 4;
        assertThat(m.get("log_loss")).isCloseTo(expected, within(1e-12));
    }

    @Test
    void regressionMatchesScikitLearn() {
        // Reference: scikit-learn 1.2.1, /work/scratch/ref/ref.py: g = Lcg(11); a = 10u - 3, b = a + (u' - .5)*2
        // sqrt(mean_squared_error), mean_absolute_error, r2_score.
        Lcg g = new Lcg(11);
        int n = 100;
        double[] y = new double[n];
        double[] pred = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = g.next() * 10 - 3;
            pred[i] = y[i] + (g.next() - 0.5) * 2;
        }
        Map<String, Double> m = Metrics.regression(y, pred);
        assertThat(m.keySet()).containsExactly("rmse", "mae", "r2");
        assertThat(m.get("rmse")).isCloseTo(0.56154872372622, within(TIGHT));
        assertThat(m.get("mae")).isCloseTo(0.49148312851918347, within(TIGHT));
        assertThat(m.get("r2")).isCloseTo(0.9636901689319954, within(TIGHT));
    }

    @Test
    void r2OfConstantTargetFollowsScikitLearn() {
        // r2_score([2,2,2],[2,2,2]) = 1.0 and r2_score([2,2,2],[2,2,3]) = 0.0 (scikit-learn 1.2.1)
        assertThat(Metrics.regression(new double[] {2, 2, 2}, new double[] {2, 2, 2}).get("r2")).isEqualTo(1.0);
        assertThat(Metrics.regression(new double[] {2, 2, 2}, new double[] {2, 2, 3}).get("r2")).isEqualTo(0.0);
        // 0.1 three times: its float mean is not exactly 0.1, but the rule still applies
        assertThat(Metrics.regression(new double[] {0.1, 0.1, 0.1}, new double[] {0.1, 0.1, 0.1}).get("r2"))
                .isEqualTo(1.0);
        Map<String, Double> m = Metrics.regression(new double[] {1, 2, 4}, new double[] {1, 3, 2});
        assertThat(m.get("rmse")).isCloseTo(Math.sqrt(5.0 / 3), within(TIGHT));
        assertThat(m.get("mae")).isEqualTo(1.0);
        assertThat(m.get("r2")).isCloseTo(1 - 5 / (14.0 / 3), within(TIGHT));
    }

    @Test
    void confusionRowsAreTrueClasses() {
        long[][] cm = Metrics.confusion(new int[] {0, 0, 1, 2, 2, 2}, new int[] {0, 1, 1, 2, 0, 2}, 3);
        assertThat(cm).isDeepEqualTo(new long[][] {{1, 1, 0}, {0, 1, 0}, {1, 0, 2}});
        assertThatThrownBy(() -> Metrics.confusion(new int[] {3}, new int[] {0}, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> Metrics.binary(new int[] {0, 2}, new double[] {0.1, 0.2}, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Metrics.binary(new int[] {0}, new double[] {Double.NaN}, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Metrics.regression(new double[0], new double[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
