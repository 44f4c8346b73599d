package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.schema.ColumnType;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class ProfilerPropertiesTest {
    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Property(tries = 300)
    void meanAndStdMatchExactReference(@ForAll @Size(min = 1, max = 200) List<@DoubleRange(min = -1e6, max = 1e6) Double> values) {
        double[] x = toArray(values);
        ColumnProfile p = Profiler.profile(new NumericColumn("x", ColumnType.NUMERIC, x));
        // Exact reference in BigDecimal arithmetic.
        MathContext mc = MathContext.DECIMAL128;
        BigDecimal sum = BigDecimal.ZERO;
        for (double v : x) {
            sum = sum.add(new BigDecimal(v));
        }
        BigDecimal mean = sum.divide(BigDecimal.valueOf(x.length), mc);
        assertThat(p.mean()).isCloseTo(mean.doubleValue(), within(1e-9 * (1 + Math.abs(mean.doubleValue()))));
        if (x.length < 2) {
            assertThat(p.std()).isNull();
            return;
        }
        BigDecimal squares = BigDecimal.ZERO;
        for (double v : x) {
            BigDecimal d = new BigDecimal(v).subtract(mean);
            squares = squares.add(d.multiply(d));
        }
        double std = Math.sqrt(squares.divide(BigDecimal.valueOf(x.length - 1), mc).doubleValue());
        assertThat(p.std()).isCloseTo(std, within(1e-9 * (1 + std)));
    }

    @Property(tries = 300)
    void quantilesMatchNaiveLinearInterpolationAndAreMonotone(
            @ForAll @Size(min = 1, max = 200) List<@DoubleRange(min = -1e6, max = 1e6) Double> values) {
        double[] x = toArray(values);
        ColumnProfile p = Profiler.profile(new NumericColumn("x", ColumnType.NUMERIC, x));
        double[] sorted = x.clone();
        Arrays.sort(sorted);
        String[] keys = {"p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99"};
        double[] qs = {0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};
        double previous = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < qs.length; i++) {
            // numpy "linear": virtual index (n - 1) q, interpolate between its neighbours.
            double h = (sorted.length - 1) * qs[i];
            int lo = (int) h;
            int hi = Math.min(lo + 1, sorted.length - 1);
            double expected = sorted[lo] * (1 - (h - lo)) + sorted[hi] * (h - lo);
            double q = p.quantiles().get(keys[i]);
            assertThat(q).isCloseTo(expected, within(1e-6));
            assertThat(q).isBetween(p.min(), p.max());
            assertThat(q).isGreaterThanOrEqualTo(previous);
            previous = q;
        }
    }

    @Property(tries = 300)
    void histogramCountsSumToCountAndRespectEdges(
            @ForAll @Size(min = 1, max = 300) List<@DoubleRange(min = -1e3, max = 1e3) Double> values) {
        double[] x = toArray(values);
        ColumnProfile p = Profiler.profile(new NumericColumn("x", ColumnType.NUMERIC, x));
        long[] counts = p.histogram().counts();
        double[] edges = p.histogram().edges();
        assertThat(edges).hasSize(counts.length + 1);
        assertThat(Arrays.stream(counts).sum()).isEqualTo(p.count()).isEqualTo(x.length);
        for (int b = 0; b < counts.length; b++) {
            double lo = edges[b];
            double hi = edges[b + 1];
            boolean last = b == counts.length - 1;
            long inBin = Arrays.stream(x).filter(v -> v >= lo && (last ? v <= hi : v < hi)).count();
            assertThat(counts[b]).as("bin %d", b).isEqualTo(inBin);
        }
    }

    /** Far from zero, rounding makes neighbouring edges equal: a value still lands in the last bin whose edge it reaches. */
    @Property(tries = 200)
    void histogramBinsHoldAtLargeOffsets(
            @ForAll @Size(min = 2, max = 200) List<@IntRange(min = 0, max = 40) Integer> steps) {
        double[] x = steps.stream().mapToDouble(k -> 1e16 + 2.0 * k).toArray();
        ColumnProfile p = Profiler.profile(new NumericColumn("x", ColumnType.NUMERIC, x));
        long[] counts = p.histogram().counts();
        double[] edges = p.histogram().edges();
        assertThat(Arrays.stream(counts).sum()).isEqualTo(x.length);
        for (double v : x) {
            int expected = 0;
            for (int b = 0; b < counts.length; b++) {
                if (edges[b] <= v) {
                    expected = b;
                }
            }
            final int bin = expected;
            long sameBin = Arrays.stream(x).filter(w -> {
                int e = 0;
                for (int b = 0; b < counts.length; b++) {
                    if (edges[b] <= w) {
                        e = b;
                    }
                }
                return e == bin;
            }).count();
            assertThat(counts[bin]).as("bin %d of %s", bin, Arrays.toString(edges)).isEqualTo(sameBin);
        }
    }
}
