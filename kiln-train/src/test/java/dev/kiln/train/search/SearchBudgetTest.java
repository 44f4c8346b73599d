package dev.kiln.train.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchBudgetTest {
    @Test
    void smallDataGetsTwentySecondsSharedAmongTheAlgorithms() {
        SearchBudget budget = SearchBudget.defaultFor(1_000, 20);
        assertThat(budget.total()).isEqualTo(Duration.ofSeconds(20));
        List<String> all = List.of("baseline", "linear", "tree", "forest", "gbdt");
        assertThat(budget.forAlgorithm("gbdt", all)).isEqualTo(Duration.ofSeconds(10));
        assertThat(budget.forAlgorithm("forest", all)).isEqualTo(Duration.ofSeconds(5));
        assertThat(budget.forAlgorithm("linear", all)).isEqualTo(Duration.ofSeconds(3));
        assertThat(budget.forAlgorithm("tree", all)).isEqualTo(Duration.ofSeconds(2));
        assertThat(budget.forAlgorithm("gbdt", List.of("gbdt"))).isEqualTo(Duration.ofSeconds(20));
        assertThat(budget.forAlgorithm("baseline", List.of("baseline"))).isEqualTo(Duration.ZERO);
    }

    @Test
    void growsWithTheSquareRootOfTheCellsUpToTheCap() {
        assertThat(SearchBudget.defaultFor(100, 5).total()).isEqualTo(Duration.ofSeconds(20));
        assertThat(SearchBudget.defaultFor(4_000, 20).total()).isEqualTo(Duration.ofSeconds(40));
        assertThat(SearchBudget.defaultFor(10_000_000, 100).total()).isEqualTo(SearchBudget.CAP);
    }
}
