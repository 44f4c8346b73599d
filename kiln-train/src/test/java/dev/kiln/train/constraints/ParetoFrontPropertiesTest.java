package dev.kiln.train.constraints;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ParetoFrontPropertiesTest {
    @Provide
    Arbitrary<List<CandidateFacts>> candidates() {
        // Few distinct values so that ties are common; now and then a NaN metric or latency.
        Arbitrary<Double> metric = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, Arbitraries.integers().between(0, 4).map(i -> i / 4.0)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Double.NaN)));
        Arbitrary<Double> latency = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(9, Arbitraries.integers().between(1, 5).map(i -> (double) i)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Double.NaN)));
        Arbitrary<Long> size = Arbitraries.longs().between(1, 5);
        Arbitrary<CandidateFacts> candidate = Combinators.combine(metric, latency, size)
                .as((m, l, s) -> new CandidateFacts("c", m, true, l, s, 1.0, true, true));
        return candidate.list().ofMaxSize(10);
    }

    @Property
    void noMemberIsDominatedAndEveryOtherIsDominatedByAMember(@ForAll("candidates") List<CandidateFacts> c,
                                                                @ForAll boolean higherIsBetter) {
        List<CandidateFacts> all = withDirection(c, higherIsBetter);
        boolean[] front = ParetoFront.mark(all);
        for (int i = 0; i < all.size(); i++) {
            for (int j = 0; j < all.size(); j++) {
                if (front[i] && front[j]) {
                    assertThat(ParetoFront.dominates(all.get(j), all.get(i))).as("member %d dominated by member %d", i, j)
                            .isFalse();
                }
            }
            if (!front[i] && !Double.isNaN(all.get(i).metric())) {
                int k = i;
                assertThat(java.util.stream.IntStream.range(0, all.size())
                        .anyMatch(j -> front[j] && ParetoFront.dominates(all.get(j), all.get(k))))
                        .as("non-member %d is dominated by a member", i).isTrue();
            }
            if (Double.isNaN(all.get(i).metric())) {
                assertThat(front[i]).as("a NaN metric is never on the front").isFalse();
            }
        }
        if (all.stream().anyMatch(x -> !Double.isNaN(x.metric()))) {
            assertThat(front).as("a front exists when some metric is a number").contains(true);
        }
    }

    @Property
    void theFrontDoesNotDependOnOrder(@ForAll("candidates") List<CandidateFacts> c, @ForAll long seed) {
        List<CandidateFacts> named = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            CandidateFacts x = c.get(i);
            named.add(new CandidateFacts("c" + i, x.metric(), false, x.p99LatencyMicros(), x.bundleBytes(), 1, true, true));
        }
        List<CandidateFacts> shuffled = new ArrayList<>(named);
        Collections.shuffle(shuffled, new Random(seed));
        boolean[] front = ParetoFront.mark(named);
        boolean[] shuffledFront = ParetoFront.mark(shuffled);
        for (int i = 0; i < shuffled.size(); i++) {
            assertThat(shuffledFront[i]).isEqualTo(front[named.indexOf(shuffled.get(i))]);
        }
    }

    @Example
    void aSlowerBiggerWorseCandidateIsOffTheFrontAndEqualsStayOn() {
        List<CandidateFacts> c = List.of(
                new CandidateFacts("gbdt", 0.90, true, 20, 50_000, 3, false, true),
                new CandidateFacts("forest", 0.88, true, 40, 900_000, 3, false, true),
                new CandidateFacts("linear", 0.85, true, 2, 2_000, 1, true, true),
                new CandidateFacts("linear2", 0.85, true, 2, 2_000, 1, true, true),
                new CandidateFacts("broken", Double.NaN, true, 1, 1, 1, true, true));
        assertThat(ParetoFront.mark(c)).containsExactly(true, false, true, true, false);
        // Lower is better (log loss, rmse): the direction flips the metric only.
        List<CandidateFacts> loss = List.of(
                new CandidateFacts("a", 0.30, false, 5, 10, 1, true, true),
                new CandidateFacts("b", 0.40, false, 5, 10, 1, true, true));
        assertThat(ParetoFront.mark(loss)).containsExactly(true, false);
    }

    private static List<CandidateFacts> withDirection(List<CandidateFacts> c, boolean higherIsBetter) {
        return c.stream().map(x -> new CandidateFacts(x.name(), x.metric(), higherIsBetter, x.p99LatencyMicros(),
                x.bundleBytes(), x.trainSeconds(), true, true)).toList();
    }
}
