package dev.kiln.monitor.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.profile.QuantileSketch;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KolmogorovSmirnovTest {
    static QuantileSketch sketch(double... values) {
        QuantileSketch s = new QuantileSketch();
        for (double v : values) {
            s.add(v);
        }
        return s;
    }

    /** Deterministic data both Java and numpy compute bit for bit: ((i*mul) % mod)/scale + off. */
    static double[] seq(int n, long mul, long mod, double scale, double off) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = ((i * mul) % mod) / scale + off;
        }
        return out;
    }

    @Test
    void separatedSamplesHandComputed() {
        // a = {1,2,3,4}, b = {5,6,7}: at x = 4, F1 = 4/4, F2 = 0/3, so D = 1.
        // Exact p = P(D >= 1) = (paths that put all of one sample first) / C(7,3) = 2/35 = 0.0571428...
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(sketch(1, 2, 3, 4), sketch(5, 6, 7));
        assertThat(r.statistic()).isEqualTo(1.0);
        assertThat(r.pValue()).isCloseTo(2.0 / 35.0, within(1e-14));
        assertThat(r.method()).isEqualTo("exact");
        // scipy 1.17.1 ks_2samp([1,2,3,4],[5,6,7], method='exact') -> (1.0, 0.05714285714285715)
        assertThat(r.pValue()).isCloseTo(0.05714285714285715, within(1e-14));
    }

    @Test
    void tiesFollowTheTextbookDefinition() {
        // a = {1,2,2,3}, b = {2,2,4}; F evaluated after all values equal to x are counted:
        // x=1: 1/4 - 0/3 = 0.25; x=2: 3/4 - 2/3 = 0.0833; x=3: 4/4 - 2/3 = 0.3333; x=4: 1 - 1 = 0.  D = 1/3.
        // (Evaluating between tied values would wrongly give 2/4 - 0/3 = 0.5 at x=2.)
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(sketch(1, 2, 2, 3), sketch(2, 2, 4));
        assertThat(r.statistic()).isCloseTo(1.0 / 3.0, within(1e-15));
        // scipy 1.17.1 ks_2samp(..., method='exact') -> (0.3333333333333333, 0.9714285714285715)
        assertThat(r.pValue()).isCloseTo(0.9714285714285715, within(1e-12));
    }

    @Test
    void identicalSamplesHaveZeroStatisticAndPValueOne() {
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(sketch(3, 1, 2, 2), sketch(2, 1, 3, 2));
        assertThat(r.statistic()).isZero();
        assertThat(r.pValue()).isEqualTo(1.0);
    }

    @Test
    void unequalSizesExactAgainstScipy() {
        // scipy 1.17.1 ks_2samp(seq(30,7919,1000,10,0), seq(45,104729,1000,10,25), method='exact')
        //   -> statistic 0.26666666666666666, pvalue 0.13675668638425742
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(sketch(seq(30, 7919, 1000, 10.0, 0)),
                sketch(seq(45, 104729, 1000, 10.0, 25.0)));
        assertThat(r.statistic()).isCloseTo(0.26666666666666666, within(1e-15));
        assertThat(r.method()).isEqualTo("exact");
        assertThat(r.pValue()).isCloseTo(0.13675668638425742, within(1e-12));
        // method='exact' on 400 vs 900 values (both sketches still exact at k = 1024):
        //   -> statistic 0.065, pvalue 0.18422711401560882
        KolmogorovSmirnov.Result mid = KolmogorovSmirnov.test(sketch(seq(400, 7919, 1000, 10.0, 0)),
                sketch(seq(900, 104729, 1000, 10.0, 6.0)));
        assertThat(mid.statistic()).isCloseTo(0.065, within(1e-15));
        assertThat(mid.pValue()).isCloseTo(0.18422711401560882, within(1e-10));
        // 300 vs 250 values of the same sequence: scipy 'exact' -> (0.012, 1.0)
        KolmogorovSmirnov.Result same = KolmogorovSmirnov.test(sketch(seq(300, 7919, 1000, 10.0, 0)),
                sketch(seq(250, 104729, 1000, 10.0, 0)));
        assertThat(same.statistic()).isCloseTo(0.012, within(1e-15));
        assertThat(same.pValue()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void asymptoticAgainstScipy() {
        // n·m = 2e7 > EXACT_MAX_PRODUCT, so asymptotic. Sketches compact above k values, so the statistic
        // is checked on exact arithmetic via withPValue, and the sketch statistic within its bound.
        double[] a = seq(5000, 7919, 10007, 100.0, 0);
        double[] b = seq(4000, 104729, 10007, 100.0, 2.5);
        // scipy 1.17.1 ks_2samp(a, b, method='asymp') -> (0.025449999999999973, 0.1105257743221999)
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.withPValue(0.025449999999999973, 5000, 4000);
        assertThat(r.method()).isEqualTo("asymptotic");
        assertThat(r.pValue()).isCloseTo(0.1105257743221999, within(1e-6));
        QuantileSketch sa = sketch(a);
        QuantileSketch sb = sketch(b);
        assertThat(KolmogorovSmirnov.statistic(sa, sb)).isCloseTo(0.02545,
                within(KolmogorovSmirnov.statisticErrorBound(sa, sb)));
        // 20000 vs 30000: scipy 'asymp' -> (0.010150000000000048, 0.16750220586790954)
        KolmogorovSmirnov.Result big = KolmogorovSmirnov.withPValue(0.010150000000000048, 20000, 30000);
        assertThat(big.pValue()).isCloseTo(0.16750220586790954, within(1e-6));
        // Exact sketches with exact-statistic: the whole path with k large enough to keep everything.
        QuantileSketch ea = new QuantileSketch(8192);
        QuantileSketch eb = new QuantileSketch(8192);
        for (double v : a) {
            ea.add(v);
        }
        for (double v : b) {
            eb.add(v);
        }
        assertThat(ea.exact()).isTrue();
        KolmogorovSmirnov.Result full = KolmogorovSmirnov.test(ea, eb);
        assertThat(full.statistic()).isCloseTo(0.025449999999999973, within(1e-12));
        assertThat(full.pValue()).isCloseTo(0.1105257743221999, within(1e-6));
    }

    @Test
    void exactPValueMatchesCommonsMathWithoutTies() {
        // commons-math 3.6.1 exactP(d, n, m, strict=false) is P(D >= d) by path counting (doubles; fine here).
        org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest cm =
                new org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest();
        int[][] sizes = {{5, 7}, {10, 10}, {13, 29}, {40, 60}};
        for (int[] s : sizes) {
            for (int c = 1; c <= 10; c++) {
                double d = Math.min(1.0, c * 0.09);
                d = Math.ceil(d * s[0] * s[1]) / ((double) s[0] * s[1]);
                assertThat(KolmogorovSmirnov.exactPValue(d, s[0], s[1]))
                        .as("n=%d m=%d d=%f", s[0], s[1], d)
                        .isCloseTo(cm.exactP(d, s[0], s[1], false), within(1e-9));
            }
        }
    }

    @Test
    void symmetricAndBounded() {
        Random r = new Random(7);
        double[] a = new double[300];
        double[] b = new double[200];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextGaussian() + 0.3;
        }
        KolmogorovSmirnov.Result ab = KolmogorovSmirnov.test(sketch(a), sketch(b));
        KolmogorovSmirnov.Result ba = KolmogorovSmirnov.test(sketch(b), sketch(a));
        assertThat(ab.statistic()).isEqualTo(ba.statistic());
        assertThat(ab.pValue()).isCloseTo(ba.pValue(), within(1e-12));
        assertThat(ab.pValue()).isBetween(0.0, 1.0);
    }

    @Test
    void tinyAsymptoticPValuesStayPositiveAndSmall() {
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.withPValue(0.05, 1_000_000, 1_000_000);
        assertThat(r.pValue()).isBetween(0.0, 1e-100);
        KolmogorovSmirnov.Result r2 = KolmogorovSmirnov.withPValue(0.004, 1_000_000, 1_000_000);
        // kstwo.sf(0.004, 500000) ~ 2 exp(-2 * 500000 * 0.004^2) = 2 exp(-16) ~ 2.25e-7
        assertThat(r2.pValue()).isBetween(1e-7, 4e-7);
    }

    @Test
    void emptySampleRejected() {
        assertThatThrownBy(() -> KolmogorovSmirnov.test(sketch(), sketch(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sketchErrorNeverMakesEqualDistributionsLookSignificantAtScale() {
        // Found by bench/drift: at 1,000,000 rows per side the compacted sketches' D came out ~0.002 above the exact
        // 0.001, and a p-value taken at face value flagged all ten unchanged columns (p < 0.05 where scipy gave 0.25-0.97).
        for (long seed = 1; seed <= 5; seed++) {
            Random random = new Random(seed);
            QuantileSketch a = new QuantileSketch();
            QuantileSketch b = new QuantileSketch();
            for (int i = 0; i < 1_000_000; i++) {
                a.add(random.nextGaussian());
                b.add(random.nextGaussian());
            }
            KolmogorovSmirnov.Result r = KolmogorovSmirnov.test(a, b);
            assertThat(r.method()).endsWith("sketch-conservative");
            assertThat(r.pValue()).as("seed " + seed + ", D " + r.statistic()).isGreaterThan(0.05);
        }
        Random random = new Random(9);
        QuantileSketch a = new QuantileSketch();
        QuantileSketch b = new QuantileSketch();
        for (int i = 0; i < 1_000_000; i++) {
            a.add(random.nextGaussian());
            b.add(random.nextGaussian() + 0.05); // a real shift: true D about 0.02
        }
        assertThat(KolmogorovSmirnov.test(a, b).pValue()).isLessThan(1e-6);
    }
}
