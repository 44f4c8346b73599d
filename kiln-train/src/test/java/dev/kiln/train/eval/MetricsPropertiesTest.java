package dev.kiln.train.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;

class MetricsPropertiesTest {
    /** A scored row: label 0/1 and a score on a grid of 21 values, so ties are common. */
    record Row(int label, int score) {
        double p() {
            return score / 20.0;
        }
    }

    @Provide
    Arbitrary<List<Row>> rows() {
        Arbitrary<Row> row = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 1),
                Arbitraries.integers().between(0, 20)).as(Row::new);
        return row.list().ofMinSize(1).ofMaxSize(60);
    }

    private static int[] labels(List<Row> rows) {
        return rows.stream().mapToInt(Row::label).toArray();
    }

    private static boolean bothClasses(List<Row> rows) {
        return rows.stream().anyMatch(r -> r.label == 1) && rows.stream().anyMatch(r -> r.label == 0);
    }

    @Property
    void aucIsInvariantUnderMonotoneTransforms(@ForAll("rows") List<Row> rows) {
        Assume.that(bothClasses(rows));
        double[] p = rows.stream().mapToDouble(Row::p).toArray();
        double[] cubed = rows.stream().mapToDouble(r -> Math.pow(r.p(), 3)).toArray();
        double[] squeezed = rows.stream().mapToDouble(r -> 0.25 + 0.5 * r.p()).toArray();
        double auc = Metrics.binary(labels(rows), p, 0.5).get("roc_auc");
        assertThat(Metrics.binary(labels(rows), cubed, 0.5).get("roc_auc")).isCloseTo(auc, within(1e-12));
        assertThat(Metrics.binary(labels(rows), squeezed, 0.5).get("roc_auc")).isCloseTo(auc, within(1e-12));
        assertThat(Metrics.binary(labels(rows), squeezed, 0.5).get("pr_auc"))
                .isCloseTo(Metrics.binary(labels(rows), p, 0.5).get("pr_auc"), within(1e-12));
    }

    @Property
    void reversingScoresComplementsAuc(@ForAll("rows") List<Row> rows) {
        Assume.that(bothClasses(rows));
        double[] p = rows.stream().mapToDouble(Row::p).toArray();
        double[] flipped = rows.stream().mapToDouble(r -> 1.0 - r.p()).toArray();
        double auc = Metrics.binary(labels(rows), p, 0.5).get("roc_auc");
        assertThat(Metrics.binary(labels(rows), flipped, 0.5).get("roc_auc")).isCloseTo(1.0 - auc, within(1e-12));
        assertThat(auc).isBetween(0.0, 1.0);
    }

    @Property
    void rateMetricsLieInTheUnitInterval(@ForAll("rows") List<Row> rows,
                                         @ForAll @DoubleRange(min = 0.0, max = 1.0) double threshold) {
        double[] p = rows.stream().mapToDouble(Row::p).toArray();
        var m = Metrics.binary(labels(rows), p, threshold);
        for (String key : List.of("accuracy", "precision", "recall", "f1", "brier")) {
            assertThat(m.get(key)).as(key).isBetween(0.0, 1.0);
        }
        assertThat(m.get("log_loss")).isGreaterThanOrEqualTo(0.0);
    }

    @Property
    void perfectRegressionHasR2One(@ForAll @Size(min = 1, max = 50) List<@DoubleRange(min = -1e6, max = 1e6) Double> y) {
        double[] values = y.stream().mapToDouble(Double::doubleValue).toArray();
        var m = Metrics.regression(values, values.clone());
        assertThat(m.get("r2")).isEqualTo(1.0);
        assertThat(m.get("rmse")).isEqualTo(0.0);
        assertThat(m.get("mae")).isEqualTo(0.0);
    }
}
