package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

/** The radix sort must give {@link Arrays#sort(double[])}'s order bit for bit, or a profile would change. */
class DoubleSortPropertiesTest {
    @Provide
    Arbitrary<double[]> values() {
        Arbitrary<Double> special = Arbitraries.of(0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE,
                -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.0, -1.0, 1e-310);
        Arbitrary<Double> any = Arbitraries.longs().map(Double::longBitsToDouble).filter(d -> !Double.isNaN(d)); // callers drop NaN
        Arbitrary<Double> small = Arbitraries.integers().between(-50, 50).map(i -> i / 4.0);
        Arbitrary<Double> value = Arbitraries.frequencyOf(Tuple.of(2, special), Tuple.of(3, any), Tuple.of(3, small),
                Tuple.of(2, Arbitraries.doubles()));
        // Sizes on both sides of the radix threshold.
        Arbitrary<Integer> size = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.integers().between(0, 50)),
                Tuple.of(2, Arbitraries.integers().between(DoubleSort.RADIX_FROM, DoubleSort.RADIX_FROM * 3)));
        return size.flatMap(n -> value.array(double[].class).ofSize(n));
    }

    @Property(tries = 200)
    void sortsAsArraysSortDoes(@ForAll("values") double[] values) {
        double[] expected = values.clone();
        Arrays.sort(expected);
        double[] actual = values.clone();
        DoubleSort.sort(actual);
        assertThat(bits(actual)).isEqualTo(bits(expected));
    }

    /** One scratch reused for arrays of changing sizes (as the profiler reuses it column after column). */
    @Property(tries = 50)
    void aReusedScratchSortsEveryArrayAsArraysSortDoes(@ForAll("values") double[] first,
                                                       @ForAll("values") double[] second,
                                                       @ForAll("values") double[] third) {
        DoubleSort.Scratch scratch = new DoubleSort.Scratch();
        for (double[] values : new double[][] {first, second, third, first}) {
            double[] expected = values.clone();
            Arrays.sort(expected);
            double[] actual = values.clone();
            DoubleSort.sort(actual, scratch);
            assertThat(bits(actual)).isEqualTo(bits(expected));
        }
    }

    @Test
    void keysRoundTripAndOrderAsDoubleCompare() {
        double[] ordered = {Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -1.0, -Double.MIN_VALUE, -0.0, 0.0,
            Double.MIN_VALUE, 1.0, Double.MAX_VALUE, Double.POSITIVE_INFINITY};
        for (int i = 0; i < ordered.length; i++) {
            assertThat(Double.doubleToLongBits(DoubleSort.value(DoubleSort.key(ordered[i]))))
                    .isEqualTo(Double.doubleToLongBits(ordered[i]));
            if (i > 0) {
                assertThat(Long.compareUnsigned(DoubleSort.key(ordered[i - 1]), DoubleSort.key(ordered[i]))).isNegative();
            }
        }
    }

    private static long[] bits(double[] values) {
        return Arrays.stream(values).mapToLong(Double::doubleToRawLongBits).toArray();
    }
}
