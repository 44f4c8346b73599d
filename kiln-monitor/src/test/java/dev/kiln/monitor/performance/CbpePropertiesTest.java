package dev.kiln.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class CbpePropertiesTest {
    record Row(double score, double q) {
    }

    @Provide
    Arbitrary<List<Row>> rows() {
        Arbitrary<Double> score = Arbitraries.integers().between(0, 6).map(i -> i / 6.0); // ties are common
        Arbitrary<Double> q = Arbitraries.doubles().between(0, 1);
        return Combinators.combine(score, q).as(Row::new).list().ofMinSize(1).ofMaxSize(30);
    }

    @Provide
    Arbitrary<List<Row>> labelled() {
        Arbitrary<Double> score = Arbitraries.integers().between(0, 6).map(i -> i / 6.0);
        return Combinators.combine(score, Arbitraries.of(0.0, 1.0)).as(Row::new).list().ofMinSize(1).ofMaxSize(30);
    }

    /**
     * The direct formula: over ordered pairs of distinct rows, P(i positive, j negative) = q_i (1 - q_j), counted
     * when i outscores j (one half on a tie), over the sum of those probabilities.
     */
    @Property
    void expectedAucEqualsTheDirectPairFormula(@ForAll("rows") List<Row> rows) {
        int n = rows.size();
        double won = 0;
        double pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    continue;
                }
                double w = rows.get(i).q() * (1 - rows.get(j).q());
                pairs += w;
                double si = rows.get(i).score();
                double sj = rows.get(j).score();
                won += si > sj ? w : si == sj ? w / 2 : 0;
            }
        }
        double auc = Cbpe.rocAuc(scores(rows), qs(rows), n);
        if (pairs <= 1e-12) {
            assertThat(auc).isNaN();
        } else {
            assertThat(auc).isCloseTo(won / pairs, within(1e-9));
            assertThat(auc).isBetween(0.0, 1.0);
        }
    }

    /** With certain labels (q 0 or 1) the expectation is the realised AUC of those labels. */
    @Property
    void withCertainLabelsItIsTheRealisedAuc(@ForAll("labelled") List<Row> rows) {
        int n = rows.size();
        boolean[] positive = new boolean[n];
        for (int i = 0; i < n; i++) {
            positive[i] = rows.get(i).q() == 1.0;
        }
        double expected = Scores.rocAuc(scores(rows), positive, n);
        double auc = Cbpe.rocAuc(scores(rows), qs(rows), n);
        if (Double.isNaN(expected)) {
            assertThat(auc).isNaN();
        } else {
            assertThat(auc).isCloseTo(expected, within(1e-12));
        }
    }

    /**
     * Labels drawn from the probabilities: the mean realised AUC and accuracy over many draws match the estimates (the
     * AUC estimate is a ratio of expectations, off the expected ratio by O(1/n)), and the 95% band holds the realised
     * accuracy about 95% of the time.
     */
    @Test
    void matchesTheMetricsOfSampledLabelsInExpectation() {
        Random r = new Random(11);
        int n = 400;
        double[] score = new double[n];
        double[] q = new double[n];
        double[] pCorrect = new double[n];
        for (int i = 0; i < n; i++) {
            q[i] = r.nextDouble();
            score[i] = Math.round((q[i] + 0.3 * r.nextGaussian()) * 50) / 50.0; // a noisy ranking, with ties
            pCorrect[i] = score[i] >= 0.5 ? q[i] : 1 - q[i];
        }
        Cbpe.Band auc = Cbpe.rocAucBand(score, q, n);
        Cbpe.Band accuracy = Cbpe.accuracy(pCorrect, n);
        int draws = 3000;
        double aucSum = 0;
        double accSum = 0;
        int inBand = 0;
        int aucInBand = 0;
        boolean[] positive = new boolean[n];
        for (int d = 0; d < draws; d++) {
            int correct = 0;
            for (int i = 0; i < n; i++) {
                positive[i] = r.nextDouble() < q[i];
                correct += positive[i] == score[i] >= 0.5 ? 1 : 0;
            }
            double a = Scores.rocAuc(score, positive, n);
            aucSum += a;
            double acc = (double) correct / n;
            accSum += acc;
            inBand += acc >= accuracy.low() && acc <= accuracy.high() ? 1 : 0;
            aucInBand += a >= auc.low() && a <= auc.high() ? 1 : 0;
        }
        assertThat(aucSum / draws).isCloseTo(auc.value(), within(0.003));
        assertThat(accSum / draws).isCloseTo(accuracy.value(), within(0.003));
        assertThat((double) inBand / draws).isBetween(0.92, 0.98);
        assertThat((double) aucInBand / draws).as("Hanley-McNeil band").isBetween(0.90, 0.995);
    }

    @Test
    void macroAucIsTheMeanOverClassesOfTheOneVsRestEstimates() {
        // Two rows, three classes: raw and calibrated laid out row by row.
        double[] raw = {0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.3, 0.4, 0.3};
        double[] cal = {0.8, 0.1, 0.1, 0.1, 0.2, 0.7, 0.2, 0.5, 0.3};
        Cbpe.Band macro = Cbpe.macroRocAuc(raw, cal, 3, 3);
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            sum += Cbpe.rocAuc(new double[] {raw[c], raw[3 + c], raw[6 + c]}, new double[] {cal[c], cal[3 + c], cal[6 + c]}, 3);
        }
        assertThat(macro.value()).isCloseTo(sum / 3, within(1e-12));
    }

    private static double[] scores(List<Row> rows) {
        return rows.stream().mapToDouble(Row::score).toArray();
    }

    private static double[] qs(List<Row> rows) {
        return rows.stream().mapToDouble(Row::q).toArray();
    }
}
