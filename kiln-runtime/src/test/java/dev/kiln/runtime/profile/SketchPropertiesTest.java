package dev.kiln.runtime.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SketchPropertiesTest {
    @Property(tries = 200)
    void exactMergeOfPartsEqualsWhole(@ForAll @Size(max = 300) List<@DoubleRange(min = -1e3, max = 1e3) Double> values,
                                      @ForAll @IntRange(min = 1, max = 5) int parts) {
        QuantileSketch whole = new QuantileSketch();
        QuantileSketch merged = new QuantileSketch();
        QuantileSketch[] pieces = new QuantileSketch[parts];
        for (int p = 0; p < parts; p++) {
            pieces[p] = new QuantileSketch();
        }
        for (int i = 0; i < values.size(); i++) {
            whole.add(values.get(i));
            pieces[i % parts].add(values.get(i));
        }
        for (QuantileSketch p : pieces) {
            merged.merge(p);
        }
        assertThat(merged.exact()).isTrue();
        assertThat(merged.count()).isEqualTo(whole.count());
        assertThat(merged.sortedValues()).containsExactly(whole.sortedValues());
        assertThat(merged.sortedWeights()).containsExactly(whole.sortedWeights());
    }

    @Property(tries = 30)
    void compactedMergeApproximatesWholeWithinBound(@ForAll @IntRange(min = 2_000, max = 40_000) int n,
                                                    @ForAll @IntRange(min = 2, max = 6) int parts,
                                                    @ForAll long seed) {
        java.util.Random r = new java.util.Random(seed);
        int k = 64;
        double[] values = new double[n];
        QuantileSketch[] pieces = new QuantileSketch[parts];
        for (int p = 0; p < parts; p++) {
            pieces[p] = new QuantileSketch(k);
        }
        for (int i = 0; i < n; i++) {
            values[i] = r.nextGaussian() * (1 + i % 3);
            pieces[i % parts].add(values[i]);
        }
        QuantileSketch merged = new QuantileSketch(k);
        for (QuantileSketch p : pieces) {
            merged.merge(p);
        }
        assertThat(merged.count()).isEqualTo(n);
        assertThat(Arrays.stream(merged.sortedWeights()).sum()).isEqualTo(n);
        assertThat(merged.retained()).isLessThan(4 * k + 8 * 20);
        Arrays.sort(values);
        double worst = 0;
        for (int i = 0; i < n; i += Math.max(1, n / 500)) {
            int le = i;
            while (le < n && values[le] <= values[i]) {
                le++;
            }
            worst = Math.max(worst, Math.abs(merged.cdf(values[i]) - (double) le / n));
        }
        assertThat(worst).isLessThanOrEqualTo(merged.rankErrorBound());
    }

    @Property(tries = 100)
    void cdfIsMonotoneAndQuantileInverts(@ForAll @Size(min = 1, max = 3000) List<@DoubleRange(min = -50, max = 50) Double> values,
                                         @ForAll @IntRange(min = 8, max = 256) int k) {
        QuantileSketch s = new QuantileSketch(k);
        values.forEach(s::add);
        double previous = 0;
        for (double x = -51; x <= 51; x += 0.5) {
            double c = s.cdf(x);
            assertThat(c).isBetween(previous, 1.0);
            previous = c;
        }
        for (double q = 0; q <= 1.0; q += 0.05) {
            double v = s.quantile(q);
            assertThat(v).isBetween(s.min(), s.max());
            assertThat(s.cdf(v)).isGreaterThanOrEqualTo(Math.min(q, 1.0) - 1e-12);
        }
    }

    @Property(tries = 100)
    void categoryMergeKeepsTotals(@ForAll @Size(max = 200) List<@IntRange(min = 0, max = 30) Integer> values,
                                  @ForAll @IntRange(min = 1, max = 40) int cap) {
        CategoryCounts whole = new CategoryCounts(cap);
        CategoryCounts a = new CategoryCounts(cap);
        CategoryCounts b = new CategoryCounts(cap);
        for (int i = 0; i < values.size(); i++) {
            String v = "c" + values.get(i);
            whole.add(v);
            (i % 2 == 0 ? a : b).add(v);
        }
        a.merge(b);
        assertThat(a.count()).isEqualTo(whole.count());
        assertThat(a.distinct()).isLessThanOrEqualTo(cap);
        if (whole.other() == 0 && a.other() == 0) {
            assertThat(a.counts()).isEqualTo(whole.counts());
        }
    }
}
