package dev.kiln.train.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SlicesTest {
    private static final Offset<Double> EXACT = Offset.offset(1e-12);

    /**
     * Group a: 10 rows, 4 positives, 3 caught and 1 false alarm. Group b: 10 rows, 5 positives, all caught, 3 false
     * alarms. Group c: 3 rows, too few for the gaps. One row with the value missing.
     */
    @Test
    void binaryGroupsAndGapsByHand() {
        List<Object> values = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        List<Double> p = new ArrayList<>();
        add(values, y, p, "a", new int[] {1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, new double[] {.9, .8, .7, .2, .6, .1, .1, .1, .1, .1});
        add(values, y, p, "b", new int[] {1, 1, 1, 1, 1, 0, 0, 0, 0, 0}, new double[] {.9, .9, .9, .9, .9, .9, .9, .9, .1, .1});
        add(values, y, p, "c", new int[] {1, 0, 0}, new double[] {.9, .9, .9});
        add(values, y, p, null, new int[] {0}, new double[] {.2});
        Slices.Column c = Slices.binary("group", ColumnType.CATEGORICAL, values.toArray(),
                y.stream().mapToInt(Integer::intValue).toArray(), p.stream().mapToDouble(Double::doubleValue).toArray(), 0.5);

        assertThat(c.grouping()).isEqualTo("values");
        assertThat(c.groups().stream().map(Slices.Group::value)).containsExactly("a", "b", "c", "(missing)");
        assertThat(c.groups().stream().mapToInt(Slices.Group::rows)).containsExactly(10, 10, 3, 1);
        Map<String, Double> a = c.groups().get(0).metrics();
        assertThat(a.get("positive_rate")).isCloseTo(0.4, EXACT);
        assertThat(a.get("predicted_positive_rate")).isCloseTo(0.4, EXACT);
        assertThat(a.get("tpr")).isCloseTo(0.75, EXACT);
        assertThat(a.get("fpr")).isCloseTo(1.0 / 6, EXACT);
        assertThat(a.get("accuracy")).isCloseTo(0.8, EXACT);
        Map<String, Double> b = c.groups().get(1).metrics();
        assertThat(b.get("predicted_positive_rate")).isCloseTo(0.8, EXACT);
        assertThat(b.get("tpr")).isCloseTo(1.0, EXACT);
        assertThat(b.get("fpr")).isCloseTo(0.6, EXACT);
        assertThat(b.get("accuracy")).isCloseTo(0.7, EXACT);
        assertThat(c.groups().get(3).metrics().get("tpr")).as("no positives").isNaN();

        // Only a and b have 10 rows or more.
        assertThat(c.gaps().get("parity_difference")).isCloseTo(0.4, EXACT);
        assertThat(c.gaps().get("positive_rate_ratio")).isCloseTo(0.5, EXACT);
        assertThat(c.gaps().get("negative_rate_ratio")).isCloseTo(0.2 / 0.6, EXACT);
        assertThat(c.gaps().get("equal_opportunity_difference")).isCloseTo(0.25, EXACT);
        assertThat(c.gaps().get("equalized_odds_difference")).isCloseTo(0.6 - 1.0 / 6, EXACT);
        assertThat(c.gaps().get("accuracy_difference")).isCloseTo(0.1, EXACT);
        assertThat(c.notes()).containsExactly("2 group(s) of fewer than 10 rows left out of the gaps");

        // Each gap has a 95% bootstrap interval, the same on every run.
        assertThat(c.gapIntervals().keySet()).isEqualTo(c.gaps().keySet());
        assertThat(List.copyOf(c.gaps().keySet())).as("what fairness gates may name").isEqualTo(Slices.GAPS);
        List<Double> parity = c.gapIntervals().get("parity_difference");
        assertThat(parity.get(0)).isLessThanOrEqualTo(0.4).isGreaterThanOrEqualTo(0.0);
        assertThat(parity.get(1)).isGreaterThanOrEqualTo(0.4).isLessThanOrEqualTo(1.0);
        assertThat(parity.get(1) - parity.get(0)).as("ten rows a group: a wide interval").isGreaterThan(0.3);
        Slices.Column again = Slices.binary("group", ColumnType.CATEGORICAL, values.toArray(),
                y.stream().mapToInt(Integer::intValue).toArray(), p.stream().mapToDouble(Double::doubleValue).toArray(), 0.5);
        assertThat(again.gapIntervals()).isEqualTo(c.gapIntervals());
    }

    @Test
    void theIntervalNarrowsAsGroupsGrowAndCoversTheTrueGap() {
        // Two groups whose true predicted-positive rates are 0.3 and 0.5: parity difference 0.2.
        double[] widths = new double[2];
        int[] sizes = {100, 2000};
        for (int s = 0; s < 2; s++) {
            int n = sizes[s];
            SplittableRandom rnd = new SplittableRandom(5);
            Object[] values = new Object[2 * n];
            int[] y = new int[2 * n];
            double[] p = new double[2 * n];
            for (int i = 0; i < 2 * n; i++) {
                boolean second = i >= n;
                values[i] = second ? "b" : "a";
                y[i] = rnd.nextInt(2);
                p[i] = rnd.nextDouble() < (second ? 0.5 : 0.3) ? 0.9 : 0.1;
            }
            Slices.Column c = Slices.binary("g", ColumnType.CATEGORICAL, values, y, p, 0.5);
            List<Double> interval = c.gapIntervals().get("parity_difference");
            widths[s] = interval.get(1) - interval.get(0);
            if (s == 1) {
                assertThat(interval.get(0)).isLessThan(0.2);
                assertThat(interval.get(1)).isGreaterThan(0.2);
            }
        }
        assertThat(widths[1]).isLessThan(widths[0] / 2);
    }

    @Test
    void numbersAreGroupedByQuartilesWithMissingApart() {
        Object[] values = new Object[21];
        int[] y = new int[21];
        double[] pred = new double[21];
        for (int i = 0; i < 20; i++) {
            values[i] = (double) (i + 1);
            pred[i] = i + 1;
        }
        values[20] = Double.NaN;
        Slices.Column c = Slices.multiclass("n", ColumnType.INTEGER, values, y, new int[21]);
        assertThat(c.grouping()).isEqualTo("quartiles");
        assertThat(c.groups().stream().map(Slices.Group::value)).containsExactly("[1, 6)", "[6, 11)", "[11, 16)", "[16, 20]", "(missing)");
        assertThat(c.groups().stream().mapToInt(Slices.Group::rows)).containsExactly(5, 5, 5, 5, 1);

        Slices.Column r = Slices.regression("n", ColumnType.NUMERIC, values, pred, pred);
        assertThat(r.groups().get(0).metrics().get("rmse")).isZero();
        assertThat(r.groups().get(3).metrics().get("mean_actual")).isCloseTo(18.0, EXACT);
    }

    @Test
    void manyCategoriesArePooledAndBooleansNamed() {
        Object[] values = new Object[30];
        for (int i = 0; i < 30; i++) {
            values[i] = "v" + (i % 25);
        }
        Slices.Column c = Slices.multiclass("v", ColumnType.CATEGORICAL, values, new int[30], new int[30]);
        assertThat(c.groups()).hasSize(Slices.MAX_GROUPS + 1);
        assertThat(c.groups().get(Slices.MAX_GROUPS).value()).isEqualTo("(other)");
        assertThat(c.notes()).containsExactly("5 less frequent values pooled as (other)");
        Slices.Column bool = Slices.multiclass("b", ColumnType.BOOLEAN, new Object[] {1.0, 0.0, 1.0}, new int[3], new int[3]);
        assertThat(bool.groups().stream().map(Slices.Group::value)).containsExactly("true", "false");
    }

    @Test
    void crossedColumnsGroupEveryCombinationThatOccurs() {
        Object[] colour = {"red", "red", "blue", "blue", null, "red"};
        Object[] size = {1.0, 9.0, 1.0, 9.0, 9.0, Double.NaN};
        Object[] crossed = Slices.crossed(List.of(ColumnType.CATEGORICAL, ColumnType.NUMERIC), List.of(colour, size));
        // size's quartiles over {1, 1, 9, 9, 9}: one edge, at 9.
        assertThat(crossed).containsExactly("red \u00d7 [1, 9)", "red \u00d7 [9, 9]", "blue \u00d7 [1, 9)", "blue \u00d7 [9, 9]",
                "(missing) \u00d7 [9, 9]", "red \u00d7 (missing)");
        Object[] two = {1.0, 9.0, 1.0, 9.0, 5.0, 7.0, 2.0, 8.0};
        Object[] crossedTwo = Slices.crossed(List.of(ColumnType.CATEGORICAL, ColumnType.INTEGER),
                List.of(new Object[] {"a", "a", "b", "b", "a", "a", "b", "b"}, two));
        Slices.Column c = Slices.multiclass("g*n", ColumnType.CATEGORICAL, crossedTwo, new int[8], new int[8]);
        assertThat(c.groups().stream().mapToInt(Slices.Group::rows).sum()).isEqualTo(8);
        assertThat(c.groups()).allMatch(g -> g.value().contains(" \u00d7 "));
        assertThat(c.groups().size()).isBetween(4, 8);
    }

    @Property(tries = 200)
    void groupsCoverEveryRowAndGapsAreBoundedAndOrderFree(@ForAll long seed, @ForAll @IntRange(min = 20, max = 300) int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Object[] values = new Object[n];
        int[] y = new int[n];
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = rnd.nextInt(10) == 0 ? null : "g" + rnd.nextInt(4);
            y[i] = rnd.nextInt(2);
            p[i] = rnd.nextDouble();
        }
        Slices.Column c = Slices.binary("g", ColumnType.CATEGORICAL, values, y, p, 0.5);
        assertThat(c.groups().stream().mapToInt(Slices.Group::rows).sum()).isEqualTo(n);
        for (String gap : List.of("parity_difference", "equal_opportunity_difference", "equalized_odds_difference")) {
            Double v = c.gaps().get(gap);
            if (v != null && !v.isNaN()) {
                assertThat(v).isBetween(0.0, 1.0);
            }
        }
        for (String ratio : List.of("positive_rate_ratio", "negative_rate_ratio")) {
            Double v = c.gaps().get(ratio);
            if (v != null && !v.isNaN()) {
                assertThat(v).isBetween(0.0, 1.0);
            }
        }
        c.gapIntervals().forEach((gap, interval) -> {
            if (!interval.get(0).isNaN()) {
                assertThat(interval.get(0)).as(gap).isLessThanOrEqualTo(interval.get(1)).isGreaterThanOrEqualTo(0.0);
                assertThat(interval.get(1)).as(gap).isLessThanOrEqualTo(1.0);
            }
        });
        // The same rows in reverse order: the same groups, metrics and gaps.
        Object[] rv = new Object[n];
        int[] ry = new int[n];
        double[] rp = new double[n];
        for (int i = 0; i < n; i++) {
            rv[i] = values[n - 1 - i];
            ry[i] = y[n - 1 - i];
            rp[i] = p[n - 1 - i];
        }
        Slices.Column reversed = Slices.binary("g", ColumnType.CATEGORICAL, rv, ry, rp, 0.5);
        assertThat(reversed.gaps()).isEqualTo(c.gaps());  // (the intervals resample other rows, so they may differ)
        for (Slices.Group g : c.groups()) {
            Slices.Group same = reversed.groups().stream().filter(x -> x.value().equals(g.value())).findFirst().orElseThrow();
            assertThat(same.rows()).isEqualTo(g.rows());
            assertThat(same.metrics().get("predicted_positive_rate")).isEqualTo(g.metrics().get("predicted_positive_rate"));
            assertThat(same.metrics().get("accuracy")).isEqualTo(g.metrics().get("accuracy"));
        }
    }

    private static void add(List<Object> values, List<Integer> y, List<Double> p, String value, int[] labels, double[] probs) {
        for (int i = 0; i < labels.length; i++) {
            values.add(value);
            y.add(labels[i]);
            p.add(probs[i]);
        }
    }
}
