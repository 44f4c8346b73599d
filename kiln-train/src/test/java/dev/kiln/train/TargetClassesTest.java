package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.ColumnType;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kiln train's target rule from label counts, as kiln spark train applies it to labels counted on Spark. */
class TargetClassesTest {
    @Test
    void aYesNoAnswerWrittenTwoWaysIsOneClassWithYesPositive() {
        TargetClasses rule = TargetClasses.of("churn", ColumnType.CATEGORICAL, Map.of("Yes", 3L, "yes", 10L, "no", 50L), null, null);
        assertThat(rule.task()).isEqualTo(Task.BINARY);
        assertThat(rule.classes()).containsExactly("no", "yes");
        assertThat(rule.positiveClass()).isEqualTo("yes");
        assertThat(rule.classOf("Yes")).isEqualTo("yes");
        assertThat(rule.classOf("no")).isEqualTo("no");
        assertThat(rule.notes()).singleElement().asString().contains("'Yes' (3 rows)").contains("read as 'yes'");
    }

    @Test
    void integersAreClassesUpToTenAndNumbersSortAsNumbers() {
        Map<String, Integer> few = new HashMap<>();
        for (int k = 0; k <= 10; k++) {
            few.put(String.valueOf(k * 10), 1 + k);
        }
        few.remove("100");
        TargetClasses classes = TargetClasses.of("grade", ColumnType.INTEGER, few, null, null);
        assertThat(classes.task()).isEqualTo(Task.MULTICLASS);
        assertThat(classes.classes()).startsWith("0", "10", "20").endsWith("90");
        few.put("100", 1);
        few.put("110", 1);
        assertThat(TargetClasses.of("grade", ColumnType.INTEGER, few, null, null).task()).isEqualTo(Task.REGRESSION);
        assertThat(TargetClasses.of("grade", ColumnType.CATEGORICAL, Map.of("a", 5L, "b", 2L), null, null).positiveClass())
                .as("the rarer class").isEqualTo("b");
    }

    @Test
    void targetsThatCannotBeLearnedAreRefusedByName() {
        assertThatThrownBy(() -> TargetClasses.of("t", ColumnType.CATEGORICAL, Map.of("a", 5L), null, null))
                .isInstanceOf(KilnException.class).hasMessageContaining("single class ('a')");
        assertThatThrownBy(() -> TargetClasses.of("t", ColumnType.CATEGORICAL, Map.of("a", 1L, "b", 1L, "c", 1L), Task.BINARY, null))
                .hasMessageContaining("--task binary needs exactly 2 classes; target 't' has 3");
        assertThatThrownBy(() -> TargetClasses.of("t", ColumnType.CATEGORICAL, Map.of("a", 1L, "b", 1L), null, "c"))
                .hasMessageContaining("--positive-class 'c' is not a class of 't'");
        Map<String, Long> many = new HashMap<>();
        for (int k = 0; k <= TargetClasses.MAX_CLASSES; k++) {
            many.put("c" + k, 1L);
        }
        assertThatThrownBy(() -> TargetClasses.of("t", ColumnType.CATEGORICAL, many, null, null))
                .as("counted up to the cap, as kiln spark train counts").hasMessageContaining("has more than 200 classes");
        many.put("one more", 1L);
        assertThatThrownBy(() -> TargetClasses.of("t", ColumnType.CATEGORICAL, many, null, null)).hasMessageContaining("has 202 classes");
    }
}
