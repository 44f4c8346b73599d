package dev.kiln.monitor.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.runtime.profile.CategoryCounts;
import dev.kiln.runtime.profile.QuantileSketch;
import org.junit.jupiter.api.Test;

class PopulationStabilityTest {
    static CategoryCounts counts(Object... pairs) {
        CategoryCounts c = new CategoryCounts();
        for (int i = 0; i < pairs.length; i += 2) {
            c.add((String) pairs[i], ((Number) pairs[i + 1]).longValue());
        }
        return c;
    }

    @Test
    void categoricalWithUnseenBucketHandComputed() {
        // ref shares a .5 b .3 c .2 unseen 0 (-> 1e-4); current a .4 b .3 c .2 unseen(d) .1
        // PSI = (.4-.5) ln(.4/.5) + 0 + 0 + (.1-.0001) ln(.1/.0001)
        //     = 0.0223144 + 0.0999 * 6.9077553 = 0.0223144 + 0.6900848 = 0.7123991
        CategoryCounts ref = counts("a", 50, "b", 30, "c", 20);
        CategoryCounts cur = counts("a", 40, "b", 30, "c", 20, "d", 10);
        assertThat(PopulationStability.categorical(ref, cur)).isCloseTo(0.7123991075017365, within(1e-12));
        assertThat(PopulationStability.unseenShare(ref, cur)).isCloseTo(0.1, within(1e-15));
        assertThat(PopulationStability.categoricalBins(ref, 0, cur, 0).labels())
                .containsExactly("a", "b", "c", PopulationStability.UNSEEN);
    }

    @Test
    void numericOnReferenceQuantilesHandComputed() {
        // ref = 1..10, 2 bins: edge = lower median = sorted[ceil(.5*10)-1] = 5; bins (-inf,5], (5,inf)
        // ref shares .5 .5; current {1,2,3,6,7,8,9,10}: 3/8 = .375 and .625
        // PSI = (-.125) ln(.75) + (.125) ln(1.25) = 0.0359603 + 0.0278929 = 0.0638532
        QuantileSketch ref = new QuantileSketch();
        for (int i = 1; i <= 10; i++) {
            ref.add(i);
        }
        QuantileSketch cur = new QuantileSketch();
        for (double v : new double[] {1, 2, 3, 6, 7, 8, 9, 10}) {
            cur.add(v);
        }
        assertThat(PopulationStability.numericBins(ref, 0, cur, 0, 2).psi()).isCloseTo(0.06385320297074884, within(1e-12));
        // With 2 missing of 12 in the reference, missing is a bin: ref 5/12 5/12 2/12, cur .375 .625 0 (-> 1e-4)
        // PSI = 0.0043904 + 0.0851082 + (1e-4 - 1/6) ln(1e-4 / (1/6)) = 1.3245502
        PopulationStability.Bins bins = PopulationStability.numericBins(ref, 2, cur, 0, 2);
        assertThat(bins.labels()).containsExactly("(-inf, 5.0]", "(5.0, +inf)", PopulationStability.MISSING);
        assertThat(bins.psi()).isCloseTo(1.3245502113760235, within(1e-12));
    }

    @Test
    void equalEdgesAreDeduplicatedAndIdenticalDataGivesZero() {
        QuantileSketch ref = new QuantileSketch();
        for (int i = 0; i < 100; i++) {
            ref.add(i < 80 ? 0 : i); // 80 zeros, then 80..99
        }
        // deciles i/10 = sorted[10 i - 1]: indices 9..79 are all 0, index 89 is 89 -> edges {0, 89}
        PopulationStability.Bins bins = PopulationStability.numericBins(ref, 0, ref, 0, 10);
        assertThat(bins.labels()).containsExactly("(-inf, 0.0]", "(0.0, 89.0]", "(89.0, +inf)");
        assertThat(bins.psi()).isZero();
        QuantileSketch same = new QuantileSketch();
        for (int i = 1; i <= 100; i++) {
            same.add(i);
        }
        assertThat(PopulationStability.numeric(same, same.copy())).isZero();
    }

    @Test
    void emptyBinsUseEpsilon() {
        // all current mass in one reference category: ref .5/.5, cur 1/0 (-> 1e-4)
        // PSI = (1-.5) ln(1/.5) + (1e-4 - .5) ln(1e-4/.5) = 0.3465736 + 4.2580549 = 4.6046285
        double psi = PopulationStability.psi(new double[] {.5, .5}, new double[] {1.0, 0.0});
        assertThat(psi).isCloseTo(0.5 * Math.log(2) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5), within(1e-12));
    }

    @Test
    void cappedReferenceSendsUnknownCategoriesToOther() {
        CategoryCounts ref = new CategoryCounts(2);
        ref.add("a", 5);
        ref.add("b", 3);
        ref.add("c", 2); // beyond the cap -> other
        CategoryCounts cur = counts("a", 5, "b", 3, "z", 2);
        PopulationStability.Bins bins = PopulationStability.categoricalBins(ref, 0, cur, 0);
        assertThat(bins.labels()).containsExactly("a", "b", PopulationStability.OTHER);
        assertThat(bins.psi()).isZero();
        assertThat(PopulationStability.unseenShare(ref, cur)).isZero();
    }
}
