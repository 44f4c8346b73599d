package dev.kiln.monitor.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.profile.CategoryCounts;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChiSquareTest {
    @Test
    void matchesScipyWithoutCorrection() {
        // scipy 1.17.1 chi2_contingency([[10,20,30],[15,15,30]], correction=False)
        //   -> statistic 1.7142857142857144, dof 2, pvalue 0.42437284567695
        ChiSquare.Result a = ChiSquare.test(new long[] {10, 20, 30}, new long[] {15, 15, 30});
        assertThat(a.statistic()).isCloseTo(1.7142857142857144, within(1e-12));
        assertThat(a.dof()).isEqualTo(2);
        assertThat(a.pValue()).isCloseTo(0.42437284567695, within(1e-12));
        // [[50,30,0,20],[40,35,5,20]] -> 6.495726495726496, 3, 0.08983119287440527
        ChiSquare.Result b = ChiSquare.test(new long[] {50, 30, 0, 20}, new long[] {40, 35, 5, 20});
        assertThat(b.statistic()).isCloseTo(6.495726495726496, within(1e-12));
        assertThat(b.dof()).isEqualTo(3);
        assertThat(b.pValue()).isCloseTo(0.08983119287440527, within(1e-12));
        // 2x2 [[12,8],[5,15]] -> 5.012787723785166, 1, 0.025160759200408785 (no Yates correction)
        ChiSquare.Result c = ChiSquare.test(new long[] {12, 8}, new long[] {5, 15});
        assertThat(c.statistic()).isCloseTo(5.012787723785166, within(1e-12));
        assertThat(c.dof()).isEqualTo(1);
        assertThat(c.pValue()).isCloseTo(0.025160759200408785, within(1e-12));
    }

    @Test
    void categoriesAbsentOnBothSidesAreDroppedAndMapsAlign() {
        ChiSquare.Result r = ChiSquare.test(Map.of("x", 10L, "y", 20L, "z", 30L, "never", 0L),
                Map.of("z", 30L, "y", 15L, "x", 15L));
        assertThat(r.dof()).isEqualTo(2);
        assertThat(r.statistic()).isCloseTo(1.7142857142857144, within(1e-12));
        CategoryCounts ref = new CategoryCounts();
        ref.add("x", 10);
        ref.add("y", 20);
        ref.add("z", 30);
        CategoryCounts cur = new CategoryCounts();
        cur.add("x", 15);
        cur.add("y", 15);
        cur.add("z", 30);
        assertThat(ChiSquare.test(ref, cur).pValue()).isCloseTo(0.42437284567695, within(1e-12));
    }

    @Test
    void degenerateTablesHaveNothingToTest() {
        assertThat(ChiSquare.test(new long[] {5}, new long[] {7})).isEqualTo(new ChiSquare.Result(0.0, 0, 1.0));
        assertThat(ChiSquare.test(new long[] {5, 3}, new long[] {0, 0})).isEqualTo(new ChiSquare.Result(0.0, 0, 1.0));
    }
}
