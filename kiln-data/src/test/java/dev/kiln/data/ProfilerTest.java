package dev.kiln.data;

import static dev.kiln.data.Fixtures.csv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.profile.ColumnProfile;
import dev.kiln.runtime.profile.ColumnProfile.CategoryCount;
import dev.kiln.runtime.profile.DatasetProfile;
import dev.kiln.runtime.schema.ColumnType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProfilerTest {
    @Test
    void numericStatisticsMatchNumpy() {
        // Expected values from numpy 2.4: mean, std(ddof=1), quantile(method="linear"), histogram(bins=20).
        double[] x = {3.5, -1.0, 2.0, 10.0, 7.25, 0.0, 2.0, 100.0, -50.5, 4.0, 4.0, Double.NaN};
        ColumnProfile p = Profiler.profile(new NumericColumn("x", ColumnType.NUMERIC, x));
        assertThat(p.type()).isEqualTo("numeric");
        assertThat(p.count()).isEqualTo(11);
        assertThat(p.missing()).isEqualTo(1);
        assertThat(p.distinct()).isEqualTo(9);
        assertThat(p.min()).isEqualTo(-50.5);
        assertThat(p.max()).isEqualTo(100.0);
        assertThat(p.mean()).isCloseTo(7.386363636363637, within(1e-12));
        assertThat(p.std()).isCloseTo(34.86534160817222, within(1e-12));
        assertThat(p.quantiles()).containsOnlyKeys("p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99");
        double[] expected = {-45.55, -25.75, -1.0, 1.0, 3.5, 5.625, 10.0, 55.0, 91.00000000000003};
        String[] keys = {"p01", "p05", "p10", "p25", "p50", "p75", "p90", "p95", "p99"};
        for (int i = 0; i < keys.length; i++) {
            assertThat(p.quantiles().get(keys[i])).as(keys[i]).isCloseTo(expected[i], within(1e-9));
        }
        assertThat(p.histogram().counts()).containsExactly(1, 0, 0, 0, 0, 0, 4, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        assertThat(p.histogram().edges()).hasSize(21);
        assertThat(p.histogram().edges()[0]).isEqualTo(-50.5);
        assertThat(p.histogram().edges()[20]).isEqualTo(100.0);
        assertThat(p.histogram().edges()[7]).isCloseTo(2.1750000000000043, within(1e-12));
        assertThat(p.topCategories()).isNull();
    }

    @Test
    void constantColumnHasOneBinAndSingleValueHasNoStd() {
        ColumnProfile c = Profiler.profile(new NumericColumn("c", ColumnType.INTEGER, new double[] {5, 5, 5}));
        assertThat(c.histogram().edges()).containsExactly(5.0, 5.0);
        assertThat(c.histogram().counts()).containsExactly(3);
        assertThat(c.std()).isEqualTo(0.0);
        ColumnProfile one = Profiler.profile(new NumericColumn("c", ColumnType.NUMERIC, new double[] {2, Double.NaN}));
        assertThat(one.std()).isNull();
        assertThat(one.mean()).isEqualTo(2.0);
        assertThat(one.quantiles().get("p99")).isEqualTo(2.0);
    }

    @Test
    void allMissingColumns() {
        DataFrame df = csv("a,b,c\n1,NA,\n2,,\n3,?,\n");
        DatasetProfile profile = Profiler.profile(df);
        ColumnProfile b = profile.column("b").orElseThrow();
        assertThat(b.missing()).isEqualTo(3);
        assertThat(b.count()).isZero();
        assertThat(b.distinct()).isZero();
        assertThat(b.topCategories()).isEmpty();
        assertThat(b.missingFraction()).isEqualTo(1.0);
        ColumnProfile n = Profiler.profile(new NumericColumn("n", ColumnType.NUMERIC, new double[] {Double.NaN}));
        assertThat(n.missing()).isEqualTo(1);
        assertThat(n.mean()).isNull();
        assertThat(n.histogram()).isNull();
    }

    @Test
    void categoriesOrderedByCountThenValue() {
        String[] values = {"b", "a", "c", "a", "b", null, "d"};
        ColumnProfile p = Profiler.profile(new StringColumn("s", ColumnType.CATEGORICAL, values));
        assertThat(p.count()).isEqualTo(6);
        assertThat(p.missing()).isEqualTo(1);
        assertThat(p.distinct()).isEqualTo(4);
        assertThat(p.topCategories()).containsExactly(
                new CategoryCount("a", 2, 2 / 6.0), new CategoryCount("b", 2, 2 / 6.0),
                new CategoryCount("c", 1, 1 / 6.0), new CategoryCount("d", 1, 1 / 6.0));
        assertThat(p.mean()).isNull();
    }

    @Test
    void topCategoriesAreCappedAtTwenty() {
        String[] values = new String[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = "v" + (i % 50);
        }
        List<CategoryCount> top = Profiler.profile(new StringColumn("s", ColumnType.CATEGORICAL, values)).topCategories();
        assertThat(top).hasSize(20);
        assertThat(top.get(0).value()).isEqualTo("v0");
        // All tie at 20 rows, so string order decides: v0, v1, v10..v19, v2, v20..v26.
        assertThat(top.get(19).value()).isEqualTo("v26");
    }

    @Test
    void booleanGetsNumericStatsAndCategories() {
        DataFrame df = csv("f\nyes\nno\nyes\nNA\n");
        ColumnProfile p = Profiler.profile(df).column("f").orElseThrow();
        assertThat(p.type()).isEqualTo("boolean");
        assertThat(p.mean()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(p.topCategories()).as("in the file's words").containsExactly(
                new CategoryCount("yes", 2, 2 / 3.0), new CategoryCount("no", 1, 1 / 3.0));
    }

    @Test
    void profileCarriesSourceAndVersion() {
        DataFrame df = csv("a\n1\n");
        DatasetProfile p = Profiler.profile(df);
        assertThat(p.source()).isEqualTo("test.csv");
        assertThat(p.sha256()).isEqualTo(df.sha256());
        assertThat(p.rows()).isEqualTo(1);
    }

    @Test
    void meanAndStdStayAccurateWithALargeOffset() {
        double[] x = new double[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1e9 + (i % 2 == 0 ? 0.1 : -0.1);
        }
        ColumnProfile p = Profiler.profile(new NumericColumn("x", ColumnType.NUMERIC, x));
        assertThat(p.mean()).isCloseTo(1e9, within(1e-6));
        assertThat(p.std()).isCloseTo(0.1 * Math.sqrt(1000.0 / 999.0), within(1e-6));
    }
}
