package dev.kiln.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.data.Splitter.Split;
import java.util.Arrays;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class SplitterPropertiesTest {
    private static void assertPartition(Split s, int n) {
        assertThat(s.train()).isSorted();
        assertThat(s.test()).isSorted();
        int[] all = IntStream.concat(Arrays.stream(s.train()), Arrays.stream(s.test())).sorted().toArray();
        assertThat(all).isEqualTo(IntStream.range(0, n).toArray());
        assertThat(s.train()).isNotEmpty();
        assertThat(s.test()).isNotEmpty();
    }

    @Property(tries = 200)
    void randomIsADeterministicPartition(@ForAll @IntRange(min = 2, max = 2000) int n,
                                         @ForAll @DoubleRange(min = 0.01, max = 0.99) double fraction,
                                         @ForAll long seed) {
        Split s = Splitter.random(n, fraction, seed);
        assertPartition(s, n);
        assertThat(s).isEqualTo(Splitter.random(n, fraction, seed));
        assertThat(Math.abs(s.test().length - n * fraction)).isLessThanOrEqualTo(Math.max(0.5, 1.0) + 1e-9);
    }

    @Property(tries = 200)
    void stratifiedPreservesClassProportions(@ForAll @Size(min = 2, max = 500) int[] rawClasses,
                                             @ForAll @DoubleRange(min = 0.05, max = 0.95) double fraction,
                                             @ForAll long seed) {
        int[] classes = Arrays.stream(rawClasses).map(c -> Math.floorMod(c, 5)).toArray();
        int[] sizes = new int[5];
        for (int c : classes) {
            sizes[c]++;
        }
        if (Arrays.stream(sizes).allMatch(size -> size < 2)) {
            return; // no class can go to test; covered by the example tests
        }
        Split s = Splitter.stratified(classes, fraction, seed);
        assertPartition(s, classes.length);
        assertThat(s).isEqualTo(Splitter.stratified(classes, fraction, seed));
        int[] inTest = new int[5];
        for (int r : s.test()) {
            inTest[classes[r]]++;
        }
        for (int c = 0; c < 5; c++) {
            assertThat(Math.abs(inTest[c] - sizes[c] * fraction)).as("class %d", c).isLessThanOrEqualTo(1.0);
            if (sizes[c] >= 2) {
                assertThat(inTest[c]).isBetween(1, sizes[c] - 1);
            }
        }
    }

    @Property(tries = 200)
    void byTimeSendsLaterRowsToTestAndKeepsTiesTogether(
            @ForAll @Size(min = 2, max = 300) int[] rawTimes,
            @ForAll @DoubleRange(min = 0.05, max = 0.95) double fraction) {
        double[] times = Arrays.stream(rawTimes).mapToDouble(t -> Math.floorMod(t, 50)).toArray();
        if (Arrays.stream(times).distinct().count() < 2) {
            return;
        }
        Split s = Splitter.byTime(times, fraction);
        assertPartition(s, times.length);
        double latestTrain = Arrays.stream(s.train()).mapToDouble(r -> times[r]).max().orElseThrow();
        double earliestTest = Arrays.stream(s.test()).mapToDouble(r -> times[r]).min().orElseThrow();
        assertThat(latestTrain).isLessThan(earliestTest); // strictly: no tie is split
    }
}
