package dev.kiln.train.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.train.Trainers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {
    private static final SearchSpace SPACE = SearchSpace.defaults();

    @Test
    void eachFirstConfigurationBuildsTheDefaultTrainer() {
        for (String algorithm : List.of("baseline", "linear", "tree", "forest", "gbdt")) {
            for (Task task : List.of(Task.BINARY, Task.REGRESSION)) {
                assertThat(ConfiguredTrainers.of(algorithm, SPACE.first(algorithm, task), 0))
                        .as(algorithm + " " + task).usingRecursiveComparison()
                        .isEqualTo(Trainers.byName(algorithm));
            }
        }
    }

    @Test
    void linearSearchesCForClassesAndRidgeAlphaForRegression() {
        assertThat(SPACE.first("linear", Task.BINARY)).containsOnlyKeys("C");
        assertThat(SPACE.first("linear", Task.REGRESSION)).containsOnlyKeys("ridge_alpha");
    }

    @Test
    void samplesStayInTheirRanges() {
        List<Map<String, Object>> configs = SPACE.sample("gbdt", Task.BINARY, 50, 3);
        assertThat(configs).hasSize(50).doesNotHaveDuplicates();
        for (Map<String, Object> c : configs.subList(1, 50)) {
            assertThat((Integer) c.get("max_depth")).isBetween(2, 10);
            assertThat((Double) c.get("learning_rate")).isBetween(0.01, 0.3);
            assertThat(c.get("max_rounds")).isEqualTo(SearchSpace.GBDT_MAX_ROUNDS);
            assertThat((Double) c.get("alpha")).isBetween(1e-3, 10.0);
        }
    }

    @Test
    void narrowingFixesAndRangesValues() {
        SearchSpace narrowed = SPACE.narrow("gbdt.max_depth=3..4, gbdt.learning_rate=0.05,linear.C=0.01..1");
        List<Map<String, Object>> configs = narrowed.sample("gbdt", Task.BINARY, 20, 1);
        assertThat(configs).allSatisfy(c -> {
            assertThat((Integer) c.get("max_depth")).isBetween(3, 4);
            assertThat(c.get("learning_rate")).isEqualTo(0.05);
        });
        // The default depth 6 is outside the user's range: the first configuration takes the nearest, 4.
        assertThat(configs.get(0)).containsEntry("max_depth", 4).containsEntry("subsample", 1.0);
        assertThat(narrowed.first("linear", Task.BINARY)).containsEntry("C", 1.0);
        assertThat(SPACE.narrow("gbdt.alpha=0").first("gbdt", Task.BINARY)).containsEntry("alpha", 0.0);
        assertThat(SPACE.narrow("")).isEqualTo(SPACE);
    }

    @Test
    void aTypoIsNamedWithTheKnownKeysAndTheNearest() {
        assertThatThrownBy(() -> SPACE.narrow("gbdt.max_dept=3"))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("--search-space").hasMessageContaining("unknown key 'gbdt.max_dept'")
                .hasMessageContaining("did you mean 'gbdt.max_depth'?").hasMessageContaining("forest.num_trees");
        assertThatThrownBy(() -> SPACE.narrow("zzz=1")).hasMessageNotContaining("did you mean");
    }

    @Test
    void outOfRangeValuesNameTheAllowedRange() {
        assertThatThrownBy(() -> SPACE.narrow("gbdt.max_depth=30"))
                .hasMessageContaining("gbdt.max_depth=30 is outside the allowed range int 2..10");
        assertThatThrownBy(() -> SPACE.narrow("gbdt.alpha=20"))
                .hasMessageContaining("log-uniform 0.001..10 (or its default 0)");
        assertThatThrownBy(() -> SPACE.narrow("gbdt.max_depth=6..3")).hasMessageContaining("empty");
        assertThatThrownBy(() -> SPACE.narrow("gbdt.max_depth=3.5")).hasMessageContaining("whole numbers");
        assertThatThrownBy(() -> SPACE.narrow("gbdt.max_depth=deep")).hasMessageContaining("'deep' is not a number");
        assertThatThrownBy(() -> SPACE.narrow("gbdt.max_depth")).hasMessageContaining("key=value");
    }
}
