package dev.kiln.runtime.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantileSketchTest {
    @Test
    void smallSamplesAreExact() {
        QuantileSketch s = new QuantileSketch();
        double[] values = {5, 1, 3, 3, 2, -0.0, 0.0};
        for (double v : values) {
            s.add(v);
        }
        assertThat(s.exact()).isTrue();
        assertThat(s.count()).isEqualTo(7);
        assertThat(s.min()).isEqualTo(0.0);
        assertThat(s.max()).isEqualTo(5.0);
        assertThat(s.sortedValues()).containsExactly(0, 1, 2, 3, 5);
        assertThat(s.sortedWeights()).containsExactly(2, 1, 1, 2, 1);
        assertThat(s.cdf(-1)).isEqualTo(0.0);
        assertThat(s.cdf(0)).isEqualTo(2.0 / 7);
        assertThat(s.cdf(3)).isEqualTo(6.0 / 7);
        assertThat(s.cdf(4.9)).isEqualTo(6.0 / 7);
        assertThat(s.cdf(5)).isEqualTo(1.0);
        // lower quantile: sorted = 0 0 1 2 3 3 5; q = .5 -> ceil(3.5) = 4th -> 2
        assertThat(s.quantile(0.5)).isEqualTo(2.0);
        assertThat(s.quantile(0)).isEqualTo(0.0);
        assertThat(s.quantile(1)).isEqualTo(5.0);
        assertThat(s.quantile(2.0 / 7)).isEqualTo(0.0);
        assertThat(s.rankErrorBound()).isZero();
    }

    @Test
    void exactUntilCapacityThenCompacts() {
        QuantileSketch s = new QuantileSketch(64);
        for (int i = 0; i < 64; i++) {
            s.add(i);
        }
        assertThat(s.exact()).isTrue();
        s.add(64);
        assertThat(s.exact()).isFalse();
        assertThat(s.count()).isEqualTo(65);
        assertThat(Arrays.stream(s.sortedWeights()).sum()).isEqualTo(65);
    }

    @Test
    void rejectsNonFinite() {
        QuantileSketch s = new QuantileSketch();
        assertThatThrownBy(() -> s.add(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.add(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QuantileSketch(4)).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.count()).isZero();
        assertThat(s.cdf(1)).isNaN();
        assertThat(s.quantile(0.5)).isNaN();
        assertThat(s.min()).isNaN();
    }

    @Test
    void compactedErrorWithinDocumentedBoundAndMemoryBounded() {
        int n = 300_000;
        double[] values = new double[n];
        Random r = new Random(1);
        QuantileSketch s = new QuantileSketch(256);
        for (int i = 0; i < n; i++) {
            values[i] = Math.exp(r.nextGaussian());
            s.add(values[i]);
        }
        Arrays.sort(values);
        double worst = 0;
        for (int i = 0; i < n; i += 97) {
            double exact = (double) upper(values, values[i]) / n;
            worst = Math.max(worst, Math.abs(s.cdf(values[i]) - exact));
        }
        assertThat(worst).isLessThanOrEqualTo(s.rankErrorBound());
        assertThat(s.retained()).isLessThan(4 * 256);
        assertThat(s.min()).isEqualTo(values[0]);
        assertThat(s.max()).isEqualTo(values[n - 1]);
        double median = s.quantile(0.5);
        assertThat((double) upper(values, median) / n).isCloseTo(0.5, within(s.rankErrorBound()));
    }

    @Test
    void deterministic() {
        QuantileSketch a = new QuantileSketch(32);
        QuantileSketch b = new QuantileSketch(32);
        for (int i = 0; i < 10_000; i++) {
            double v = (i * 7919L) % 10007;
            a.add(v);
            b.add(v);
        }
        assertThat(a.sortedValues()).containsExactly(b.sortedValues());
        assertThat(a.sortedWeights()).containsExactly(b.sortedWeights());
    }

    @Test
    void jsonRoundTrip() throws Exception {
        for (int n : new int[] {0, 10, 5000}) {
            QuantileSketch s = new QuantileSketch(64);
            for (int i = 0; i < n; i++) {
                s.add(Math.sin(i) * 1e6);
            }
            String json = Json.mapper().writeValueAsString(s.state());
            QuantileSketch back = QuantileSketch.fromState(Json.mapper().readValue(json, QuantileSketch.State.class));
            assertThat(Json.mapper().writeValueAsString(back.state())).isEqualTo(json);
            assertThat(back.count()).isEqualTo(n);
            assertThat(back.sortedValues()).containsExactly(s.sortedValues());
            assertThat(back.sortedWeights()).containsExactly(s.sortedWeights());
            // and it keeps working identically afterwards
            s.add(1.5);
            back.add(1.5);
            assertThat(back.sortedWeights()).containsExactly(s.sortedWeights());
        }
    }

    @Test
    void fromStateValidates() {
        double[][] levels = {{1, 2}};
        assertThatThrownBy(() -> QuantileSketch.fromState(new QuantileSketch.State(64, 3, 1.0, 2.0, levels, new long[1])))
                .isInstanceOf(KilnException.class).hasMessageContaining("count is 3");
        assertThatThrownBy(() -> QuantileSketch.fromState(new QuantileSketch.State(64, 2, 1.5, 2.0, levels, new long[1])))
                .isInstanceOf(KilnException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> QuantileSketch.fromState(new QuantileSketch.State(2, 2, 1.0, 2.0, levels, new long[1])))
                .isInstanceOf(KilnException.class).hasMessageContaining("k must be");
        assertThatThrownBy(() -> QuantileSketch.fromState(new QuantileSketch.State(64, 0, 1.0, 2.0, new double[][] {{}}, null)))
                .isInstanceOf(KilnException.class).hasMessageContaining("min/max");
        assertThatThrownBy(() -> QuantileSketch.fromState(new QuantileSketch.State(64, 2, 1.0, 2.0,
                new double[][] {{1, Double.NaN}}, null))).isInstanceOf(KilnException.class);
        assertThatThrownBy(() -> QuantileSketch.fromState(new QuantileSketch.State(8, 20, 0.0, 19.0,
                new double[][] {new double[20]}, null))).isInstanceOf(KilnException.class).hasMessageContaining("capacity");
    }

    private static int upper(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
