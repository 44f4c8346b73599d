package dev.kiln.monitor.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.QuantileSketch;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class StatsPropertiesTest {
    static QuantileSketch sketch(List<Double> values, int k) {
        QuantileSketch s = new QuantileSketch(k);
        values.forEach(s::add);
        return s;
    }

    @Property(tries = 200)
    void ksStatisticSymmetricAndInUnitInterval(
            @ForAll @Size(min = 1, max = 400) List<@DoubleRange(min = -10, max = 10) Double> a,
            @ForAll @Size(min = 1, max = 400) List<@DoubleRange(min = -10, max = 10) Double> b,
            @ForAll @IntRange(min = 8, max = 1024) int k) {
        QuantileSketch sa = sketch(a, k);
        QuantileSketch sb = sketch(b, k);
        KolmogorovSmirnov.Result ab = KolmogorovSmirnov.test(sa, sb);
        KolmogorovSmirnov.Result ba = KolmogorovSmirnov.test(sb, sa);
        assertThat(ab.statistic()).isBetween(0.0, 1.0).isEqualTo(ba.statistic());
        assertThat(ab.pValue()).isBetween(0.0, 1.0).isCloseTo(ba.pValue(), within(1e-9));
        assertThat(KolmogorovSmirnov.test(sa, sa.copy()).statistic()).isZero();
    }

    @Property(tries = 200)
    void psiNonNegativeAndZeroForIdentical(
            @ForAll @Size(min = 1, max = 500) List<@DoubleRange(min = -5, max = 5) Double> a,
            @ForAll @Size(min = 1, max = 500) List<@DoubleRange(min = -5, max = 5) Double> b,
            @ForAll @IntRange(min = 1, max = 20) int bins) {
        QuantileSketch sa = sketch(a, 64);
        QuantileSketch sb = sketch(b, 64);
        assertThat(PopulationStability.numericBins(sa, 0, sb, 3, bins).psi()).isGreaterThanOrEqualTo(0.0);
        assertThat(PopulationStability.numericBins(sa, 2, sa.copy(), 2, bins).psi()).isCloseTo(0.0, within(1e-12));
    }

    @Property(tries = 200)
    void categoricalPsiNonNegativeAndZeroForIdentical(
            @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 12) Integer> a,
            @ForAll @Size(min = 1, max = 300) List<@IntRange(min = 0, max = 15) Integer> b) {
        CategoryCounts ca = new CategoryCounts(10);
        CategoryCounts cb = new CategoryCounts(10);
        a.forEach(v -> ca.add("v" + v));
        b.forEach(v -> cb.add("v" + v));
        assertThat(PopulationStability.categoricalBins(ca, 1, cb, 0).psi()).isGreaterThanOrEqualTo(0.0);
        assertThat(PopulationStability.categorical(cb, cb.copy())).isCloseTo(0.0, within(1e-12));
        assertThat(PopulationStability.unseenShare(ca, cb)).isBetween(0.0, 1.0);
        ChiSquare.Result chi = ChiSquare.test(ca, cb);
        assertThat(chi.pValue()).isBetween(0.0, 1.0);
        assertThat(chi.statistic()).isGreaterThanOrEqualTo(0.0);
    }
}
