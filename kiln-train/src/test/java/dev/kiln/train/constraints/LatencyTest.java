package dev.kiln.train.constraints;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyTest {
    @Test
    void timesEveryCallOfThreePassesAfterAWarmUpCyclingThroughFewRows() {
        List<Integer> calls = new ArrayList<>();
        Latency l = Latency.measure(List.of(1, 2, 3), row -> {
            calls.add(row);
            return row;
        });
        assertThat(l.rows()).isEqualTo(3);
        assertThat(l.timedCalls()).isEqualTo(Latency.PASSES * Latency.MIN_CALLS_PER_PASS);
        assertThat(calls).hasSize(Latency.MIN_WARM_UP_CALLS + l.timedCalls());
        assertThat(calls.stream().filter(r -> r == 3).count()).isGreaterThan(calls.size() / 3 - 2);
        assertThat(l.p50Micros()).isNotNegative();
        assertThat(l.p99Micros()).isGreaterThanOrEqualTo(l.p50Micros());
    }

    @Test
    void manyRowsAreEachTimedOncePerPass() {
        List<Integer> rows = java.util.stream.IntStream.range(0, Latency.MAX_ROWS).boxed().toList();
        int[] count = new int[1];
        Latency l = Latency.measure(rows, row -> count[0]++);
        assertThat(l.timedCalls()).isEqualTo(Latency.PASSES * Latency.MAX_ROWS);
        assertThat(count[0]).isEqualTo(Latency.MAX_ROWS + l.timedCalls());
    }

    @Test
    void noRowsNoFigures() {
        Latency l = Latency.measure(List.<Integer>of(), row -> row);
        assertThat(l.p99Micros()).isNaN();
        assertThat(l.timedCalls()).isZero();
    }
}
