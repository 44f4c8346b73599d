package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.runtime.schema.Values;
import java.math.BigDecimal;
import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * {@link Values#canonicalNumberText}'s fast path for short decimals prints exactly what {@link Double#toString} prints
 * (a prediction file echoes its input's numbers this way, and must not change). 80,000,000 random values of these
 * kinds matched when the fast path was written; the suite draws fewer.
 */
class CanonicalNumberTextPropertiesTest {
    /** What canonicalNumberText printed before the fast path. */
    private static String reference(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    @Provide
    Arbitrary<Double> decimals() {
        // A decimal of 1 to 17 digits with 0 to 18 of them after the point, as written in a file, read as a double.
        Arbitrary<Integer> digits = Arbitraries.integers().between(1, 17);
        return digits.flatMap(n -> Combinators.combine(
                Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.TEN.pow(n).subtract(BigInteger.ONE)),
                Arbitraries.integers().between(0, 18), Arbitraries.of(1, -1))
                .as((unscaled, scale, sign) -> sign * new BigDecimal(unscaled, scale).doubleValue()));
    }

    @Provide
    Arbitrary<Double> anyDouble() {
        return Arbitraries.longs().map(Double::longBitsToDouble).filter(d -> !Double.isNaN(d));
    }

    @Property(tries = 20_000)
    void aDecimalPrintsAsDoubleToStringPrintsIt(@ForAll("decimals") double d) {
        assertThat(Values.canonicalNumberText(d)).isEqualTo(reference(d));
    }

    @Property(tries = 5_000)
    void anyDoublePrintsAsDoubleToStringPrintsIt(@ForAll("anyDouble") double d) {
        assertThat(Values.canonicalNumberText(d)).isEqualTo(reference(d));
    }

    @Property(tries = 5_000)
    void aNumberInThePlainRangePrintsAsDoubleToStringPrintsIt(
            @ForAll("plainRange") double d) {
        assertThat(Values.canonicalNumberText(d)).isEqualTo(reference(d));
    }

    @Provide
    Arbitrary<Double> plainRange() {
        return Arbitraries.doubles().between(-1e7, 1e7);
    }

    @Test
    void theEdgesOfThePlainRangeAndTheFifteenDigitBound() {
        double[] edges = {0.001, -0.001, 0.0009999999, 0.00100000000000001, 9_999_999.5, 9_999_999.999999, 1e7 + 0.5,
            0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 0.1 + 0.2, 123456.789012345, 1234567.89012345, 0.123456789012345,
            0.1234567890123456, 1.7976931348623157e308, Double.MIN_VALUE, 4.9e-324, -2.51676, 1e-3 * 7, 5e-324};
        for (double d : edges) {
            assertThat(Values.canonicalNumberText(d)).as("%s", d).isEqualTo(reference(d));
        }
        assertThat(Values.canonicalNumberText(-2.51676)).isEqualTo("-2.51676");
        assertThat(Values.canonicalNumberText(0.00105)).isEqualTo("0.00105");
        assertThat(Values.canonicalNumberText(4.0)).isEqualTo("4");
    }
}
