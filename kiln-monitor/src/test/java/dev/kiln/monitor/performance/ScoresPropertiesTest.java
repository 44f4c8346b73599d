package dev.kiln.monitor.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ScoresPropertiesTest {
    record Row(double score, boolean positive) {
    }

    @Provide
    Arbitrary<List<Row>> rows() {
        // few distinct scores so that ties are common
        Arbitrary<Double> score = Arbitraries.integers().between(0, 8).map(i -> i / 8.0);
        return Combinators.combine(score, Arbitraries.of(true, false)).as(Row::new).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property
    void rocAucEqualsTheShareOfPositiveNegativePairsOrderedRightWithTiesCountingHalf(@ForAll("rows") List<Row> rows) {
        int n = rows.size();
        double[] s = new double[n];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            s[i] = rows.get(i).score();
            y[i] = rows.get(i).positive();
        }
        double won = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] && !y[j]) {
                    pairs++;
                    won += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        double auc = Scores.rocAuc(s, y, n);
        if (pairs == 0) {
            assertThat(auc).isNaN();
        } else {
            assertThat(auc).isCloseTo(won / pairs, within(1e-12));
        }
    }
}
