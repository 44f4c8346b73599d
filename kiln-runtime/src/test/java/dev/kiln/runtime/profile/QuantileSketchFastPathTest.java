package dev.kiln.runtime.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * The bulk {@link QuantileSketch#addAll} / {@link QuantileSketch#addAllPresent} and the sorted-level compaction build
 * exactly the sketches of {@link QuantileSketch#add} one value at a time, and of the rules as first written
 * ({@link ReferenceQuantileSketch}): the same {@link QuantileSketch.State}, bit for bit, on inputs with duplicates,
 * -0.0, extreme values and sizes across many compactions.
 */
class QuantileSketchFastPathTest {
    @Property(tries = 150)
    void addAllInPiecesEqualsAddOneByOneAndTheReference(@ForAll("values") double[] values,
                                                        @ForAll @IntRange(min = 8, max = 300) int k,
                                                        @ForAll long seed) {
        QuantileSketch one = new QuantileSketch(k);
        ReferenceQuantileSketch reference = new ReferenceQuantileSketch(k);
        for (double v : values) {
            one.add(v);
            reference.add(v);
        }
        QuantileSketch bulk = new QuantileSketch(k);
        Random r = new Random(seed);
        for (int from = 0; from < values.length; ) {
            int to = Math.min(values.length, from + r.nextInt(r.nextBoolean() ? 8 : 4000));
            bulk.addAll(values, from, to);
            from = to;
        }
        assertSame(one.state(), reference.state());
        assertSame(bulk.state(), reference.state());
        assertThat(bulk.count()).isEqualTo(values.length);
    }

    @Property(tries = 60)
    void addAllPresentSkipsNaNAndCountsIt(@ForAll("values") double[] values, @ForAll long seed) {
        Random r = new Random(seed);
        double[] withMissing = new double[values.length * 2];
        int n = 0;
        int missing = 0;
        for (double v : values) {
            if (r.nextInt(4) == 0) {
                withMissing[n++] = Double.NaN;
                missing++;
            }
            withMissing[n++] = v;
        }
        QuantileSketch bulk = new QuantileSketch(16);
        int skipped = bulk.addAllPresent(withMissing, 0, n);
        ReferenceQuantileSketch reference = new ReferenceQuantileSketch(16);
        for (double v : values) {
            reference.add(v);
        }
        assertThat(skipped).isEqualTo(missing);
        assertSame(bulk.state(), reference.state());
    }

    @Property(tries = 60)
    void mergesAndRestoredStatesWithNegativeZeroMatchTheReference(@ForAll("values") double[] first,
                                                                  @ForAll("values") double[] second,
                                                                  @ForAll("values") double[] after,
                                                                  @ForAll @IntRange(min = 8, max = 64) int k) {
        QuantileSketch a = new QuantileSketch(k);
        QuantileSketch b = new QuantileSketch(k);
        a.addAll(first, 0, first.length);
        b.addAll(second, 0, second.length);
        // A state as JSON may carry -0.0 (add never stores it): it orders before 0.0, as Arrays.sort orders it.
        QuantileSketch.State withNegativeZeros = negativeZeros(b.state());
        QuantileSketch restored = QuantileSketch.fromState(withNegativeZeros);
        a.merge(restored);
        a.addAll(after, 0, after.length);

        ReferenceQuantileSketch ra = ReferenceQuantileSketch.of(new QuantileSketch(k).state());
        for (double v : first) {
            ra.add(v);
        }
        ra.merge(ReferenceQuantileSketch.of(withNegativeZeros));
        for (double v : after) {
            ra.add(v);
        }
        assertSame(a.state(), ra.state());
        assertSame(restored.state(), withNegativeZeros);
    }

    @Property(tries = 40)
    void aValueThatIsNotFiniteIsRefusedAfterTheValuesBeforeIt(@ForAll("values") double[] values,
                                                              @ForAll @IntRange(min = 0, max = 2) int which,
                                                              @ForAll long seed) {
        double bad = new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}[which];
        int at = values.length == 0 ? 0 : new Random(seed).nextInt(values.length + 1);
        double[] input = new double[values.length + 1];
        System.arraycopy(values, 0, input, 0, at);
        input[at] = bad;
        System.arraycopy(values, at, input, at + 1, values.length - at);
        QuantileSketch bulk = new QuantileSketch(8);
        assertThatThrownBy(() -> bulk.addAll(input, 0, input.length)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be finite");
        ReferenceQuantileSketch reference = new ReferenceQuantileSketch(8);
        for (int i = 0; i < at; i++) {
            reference.add(values[i]);
        }
        assertSame(bulk.state(), reference.state());
        if (which > 0) {
            QuantileSketch present = new QuantileSketch(8);
            assertThatThrownBy(() -> present.addAllPresent(input, 0, input.length))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @org.junit.jupiter.api.Test
    void manyValuesAtTheDefaultAccuracyMatchTheReference() {
        Random r = new Random(7);
        double[] values = new double[300_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 5 == 0 ? Math.rint(r.nextGaussian() * 3) : r.nextGaussian();
        }
        QuantileSketch bulk = new QuantileSketch();
        bulk.addAll(values, 0, 100_000);
        bulk.addAll(values, 100_000, values.length);
        ReferenceQuantileSketch reference = new ReferenceQuantileSketch(QuantileSketch.DEFAULT_K);
        for (double v : values) {
            reference.add(v);
        }
        assertSame(bulk.state(), reference.state());
        assertThat(bulk.exact()).isFalse();
    }

    @Property(tries = 200)
    void keysSortAsArraysSortSortsTheDoubles(@ForAll("values") double[] values) {
        double[] expected = values.clone();
        Arrays.sort(expected);
        long[] keys = new long[values.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = SortKeys.key(values[i]);
        }
        SortKeys.sort(keys, keys.length, new long[keys.length]);
        double[] actual = new double[keys.length];
        for (int i = 0; i < keys.length; i++) {
            actual[i] = SortKeys.value(keys[i]);
        }
        assertThat(Arrays.equals(actual, expected)).as("bitwise equal").isTrue();
    }

    @org.junit.jupiter.api.Test
    void everySmallLengthSortsAsArraysSort() {
        Random r = new Random(11);
        for (int n = 0; n <= 70; n++) {
            for (int trial = 0; trial < 50; trial++) {
                long[] keys = new long[n];
                for (int i = 0; i < n; i++) {
                    keys[i] = trial % 2 == 0 ? r.nextLong() : r.nextInt(4) - 2;
                }
                if (trial % 5 == 0 && n > 0) {
                    keys[r.nextInt(n)] = Long.MAX_VALUE; // the network's padding value, as a real key
                }
                long[] expected = keys.clone();
                Arrays.sort(expected);
                SortKeys.sort(keys, n, new long[n]);
                assertThat(keys).as("n = %d", n).containsExactly(expected);
            }
        }
    }

    @Property(tries = 300)
    void mergeOfSortedRunsIsTheSortedWhole(@ForAll("keys") long[] a, @ForAll("keys") long[] b,
                                           @ForAll @IntRange(min = 0, max = 3) int offset) {
        Arrays.sort(a);
        Arrays.sort(b);
        long[] d = new long[a.length + b.length + offset];
        SortKeys.merge(a, 0, a.length, b, 0, b.length, d, offset);
        long[] expected = new long[a.length + b.length];
        System.arraycopy(a, 0, expected, 0, a.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        Arrays.sort(expected);
        assertThat(Arrays.copyOfRange(d, offset, d.length)).containsExactly(expected);
    }

    /** Duplicates, both zeros, extremes, and sizes across many compactions of small sketches. */
    @Provide
    Arbitrary<double[]> values() {
        Arbitrary<Double> value = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(-20, 20).map(i -> (double) i)),
                Tuple.of(2, Arbitraries.of(0.0, -0.0)),
                Tuple.of(3, Arbitraries.doubles().between(-1e6, 1e6)),
                Tuple.of(1, Arbitraries.of(Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, -Double.MIN_VALUE,
                        1e-300, -1e300)));
        return value.array(double[].class).ofMaxSize(5000);
    }

    @Provide
    Arbitrary<long[]> keys() {
        return Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(-3, 3),
                        Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, -1L, 0L))
                .array(long[].class).ofMaxSize(300);
    }

    private static QuantileSketch.State negativeZeros(QuantileSketch.State s) {
        double[][] levels = new double[s.levels().length][];
        for (int h = 0; h < levels.length; h++) {
            levels[h] = s.levels()[h].clone();
            for (int i = 0; i < levels[h].length; i += 2) {
                if (levels[h][i] == 0.0) {
                    levels[h][i] = -0.0;
                }
            }
            Arrays.sort(levels[h]);
        }
        return new QuantileSketch.State(s.k(), s.count(), s.min(), s.max(), levels, s.compactions());
    }

    private static void assertSame(QuantileSketch.State actual, QuantileSketch.State expected) {
        assertThat(actual.k()).isEqualTo(expected.k());
        assertThat(actual.count()).isEqualTo(expected.count());
        assertThat(actual.min()).isEqualTo(expected.min());
        assertThat(actual.max()).isEqualTo(expected.max());
        assertThat(actual.compactions()).containsExactly(expected.compactions());
        assertThat(actual.levels().length).isEqualTo(expected.levels().length);
        for (int h = 0; h < expected.levels().length; h++) {
            assertThat(Arrays.equals(actual.levels()[h], expected.levels()[h]))
                    .as("level %d bitwise: %s vs %s", h, Arrays.toString(actual.levels()[h]),
                            Arrays.toString(expected.levels()[h]))
                    .isTrue();
        }
    }
}
