package dev.kiln.train.constraints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.ColumnType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class ConstraintsTest {
    private static final Map<String, ColumnType> COLUMNS = columns();

    private static Map<String, ColumnType> columns() {
        Map<String, ColumnType> c = new LinkedHashMap<>();
        c.put("age", ColumnType.INTEGER);
        c.put("income", ColumnType.NUMERIC);
        c.put("member", ColumnType.BOOLEAN);
        c.put("city", ColumnType.CATEGORICAL);
        c.put("notes", ColumnType.TEXT);
        c.put("signup", ColumnType.DATETIME);
        c.put("churn", ColumnType.CATEGORICAL);
        return c;
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(Runnable r, ErrorCode code) {
        return assertThatThrownBy(r::run).isInstanceOfSatisfying(KilnException.class,
                e -> assertThat(e.code()).isEqualTo(code));
    }

    private static Constraints monotone(String... specs) {
        return Constraints.of(null, null, null, false, List.of(specs));
    }

    @Test
    void parsesEveryFormOfDirection() {
        assertThat(Constraints.parseMonotone(List.of("a=+1", "b=-1", "c=1", "d=increasing", "e=Decreasing", "f = -1")))
                .containsExactly(Map.entry("a", 1), Map.entry("b", -1), Map.entry("c", 1), Map.entry("d", 1),
                        Map.entry("e", -1), Map.entry("f", -1));
        assertThat(Constraints.parseMonotone(null)).isEmpty();
        assertThat(Constraints.parseMonotone(List.of("a=1", "a=+1"))).containsExactly(Map.entry("a", 1));
        // A column name holding '=' keeps it: the direction follows the last one.
        assertThat(Constraints.parseMonotone(List.of("x=y=-1"))).containsExactly(Map.entry("x=y", -1));
    }

    @Test
    void refusesBadMonotoneEntriesNamingOptionAndEntry() {
        refused(() -> Constraints.parseMonotone(List.of("age")), ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--monotone 'age' is not column=+1 or column=-1");
        refused(() -> Constraints.parseMonotone(List.of("=1")), ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--monotone '=1' names no column: give column=+1 or column=-1");
        refused(() -> Constraints.parseMonotone(List.of("age=2")), ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--monotone 'age=2' has direction '2': expected +1, 1, increasing, -1 or decreasing");
        refused(() -> Constraints.parseMonotone(List.of("age=")), ErrorCode.INVALID_ARGUMENT)
                .hasMessageContaining("has direction ''");
        refused(() -> Constraints.parseMonotone(Arrays.asList((String) null)), ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--monotone has an empty (null) entry");
        refused(() -> Constraints.parseMonotone(List.of("age=+1", "income=1", "age=decreasing")), ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--monotone gives 'age' both directions (increasing and decreasing): give it once")
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.details())
                        .containsEntry("option", "--monotone").containsEntry("column", "age"));
    }

    @Test
    void noneAsksForNothingAndKilobytesAreOf1024Bytes() {
        assertThat(Constraints.none().any()).isFalse();
        Constraints c = Constraints.of(50.0, 1.5, 10.0, true, List.of("age=+1"));
        assertThat(c.any()).isTrue();
        assertThat(c.maxBundleBytes()).isEqualTo(1536L);
        assertThat(c.monotone()).containsExactly(Map.entry("age", 1));
        assertThat(Constraints.of(null, null, null, true, null).any()).isTrue();
    }

    @Test
    void refusesNonPositiveLimits() {
        refused(() -> ConstraintsCheck.checkOptions(new Constraints(0.0, null, null, false, null), List.of(), false),
                ErrorCode.INVALID_ARGUMENT).hasMessage("--max-latency-us must be a number > 0, got 0");
        refused(() -> ConstraintsCheck.checkOptions(new Constraints(Double.NaN, null, null, false, null), List.of(), false),
                ErrorCode.INVALID_ARGUMENT).hasMessage("--max-latency-us must be a number > 0, got NaN");
        refused(() -> Constraints.of(null, -2.0, null, false, null), ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--max-bundle-kb must be a number > 0, got -2");
        refused(() -> ConstraintsCheck.checkOptions(new Constraints(null, 0L, null, false, null), List.of(), false),
                ErrorCode.INVALID_ARGUMENT).hasMessage("--max-bundle-kb must be a number > 0, got 0");
        refused(() -> ConstraintsCheck.checkOptions(new Constraints(null, null, -0.5, false, null), List.of(), false),
                ErrorCode.INVALID_ARGUMENT).hasMessage("--max-train-seconds must be a number > 0, got -0.5")
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.details())
                        .containsEntry("option", "--max-train-seconds"));
        ConstraintsCheck.checkOptions(new Constraints(0.5, 1L, 1e-3, false, null), List.of("gbdt"), false);
    }

    @Test
    void refusesInterpretableWithoutAnInterpretableAlgorithm() {
        Constraints c = Constraints.of(null, null, null, true, null);
        refused(() -> ConstraintsCheck.checkOptions(c, List.of("baseline", "forest"), false), ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--interpretable: no algorithm of --algorithms forest can be interpretable; linear, tree "
                        + "(depth <= 6) and gbdt (depth <= 3, <= 100 rounds) can: add one, or drop --interpretable");
        ConstraintsCheck.checkOptions(c, List.of("forest", "gbdt"), false);
        ConstraintsCheck.checkOptions(c, List.of(), false);
        assertThat(ConstraintsCheck.notTrained(c, "forest"))
                .isEqualTo("forest: not trained, it has no interpretable configuration (--interpretable)");
        assertThat(ConstraintsCheck.notTrained(c, "gbdt")).isNull();
    }

    @Test
    void refusesMonotoneThatNoAlgorithmCanHonourOrAWarmStart() {
        Constraints c = monotone("age=+1");
        refused(() -> ConstraintsCheck.checkOptions(c, List.of("tree"), false), ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--monotone: no algorithm of --algorithms tree can honour monotone constraints (a single tree "
                        + "cannot); linear, gbdt and forest can: add one, or drop --monotone");
        refused(() -> ConstraintsCheck.checkOptions(c, List.of("gbdt"), true), ErrorCode.INVALID_ARGUMENT)
                .hasMessageStartingWith("--monotone cannot be used with a warm start");
        ConstraintsCheck.checkOptions(c, List.of("tree", "linear"), false);
        assertThat(ConstraintsCheck.notTrained(c, "tree")).isEqualTo("tree: not trained, it cannot honour --monotone");
        assertThat(ConstraintsCheck.notTrained(c, "baseline")).isNull();
        assertThat(ConstraintsCheck.notTrained(Constraints.none(), "tree")).isNull();
    }

    @Test
    void refusesMonotoneOnColumnsItCannotOrder() {
        refused(() -> ConstraintsCheck.checkColumns(monotone("agee=1"), COLUMNS, "churn", List.of()), ErrorCode.COLUMN_MISSING)
                .hasMessage("--monotone names column 'agee', which is not in the data (did you mean 'age'?)")
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.details())
                        .containsEntry("option", "--monotone").containsEntry("nearest", "age"));
        refused(() -> ConstraintsCheck.checkColumns(monotone("Income=1"), COLUMNS, "churn", List.of()), ErrorCode.COLUMN_MISSING)
                .hasMessageContaining("(did you mean 'income'?)");
        refused(() -> ConstraintsCheck.checkColumns(monotone("zzzzzz=1"), COLUMNS, "churn", List.of()), ErrorCode.COLUMN_MISSING)
                .hasMessage("--monotone names column 'zzzzzz', which is not in the data");
        refused(() -> ConstraintsCheck.checkColumns(monotone("churn=1"), COLUMNS, "churn", List.of()), ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--monotone 'churn' is the target; constrain an input column");
        refused(() -> ConstraintsCheck.checkColumns(monotone("income=1"), COLUMNS, "churn", List.of("income")),
                ErrorCode.INVALID_ARGUMENT).hasMessageStartingWith("--monotone 'income' is excluded by --exclude");
        refused(() -> ConstraintsCheck.checkColumns(monotone("city=-1"), COLUMNS, "churn", List.of()), ErrorCode.INVALID_ARGUMENT)
                .hasMessage("--monotone 'city' is a categorical column, which has no order; monotone needs an ordered, "
                        + "numeric column (numeric, integer or boolean)");
        refused(() -> ConstraintsCheck.checkColumns(monotone("notes=-1"), COLUMNS, "churn", List.of()), ErrorCode.INVALID_ARGUMENT)
                .hasMessageStartingWith("--monotone 'notes' is a text column, which has no order");
        refused(() -> ConstraintsCheck.checkColumns(monotone("signup=1"), COLUMNS, "churn", List.of()), ErrorCode.INVALID_ARGUMENT)
                .hasMessageStartingWith("--monotone 'signup' is a datetime column");
        ConstraintsCheck.checkColumns(monotone("age=1", "income=-1", "member=1"), COLUMNS, "churn", List.of("city"));
    }

    @Test
    void refusesMonotoneForSeveralClasses() {
        refused(() -> ConstraintsCheck.checkTask(monotone("age=1"), Task.MULTICLASS), ErrorCode.INVALID_ARGUMENT)
                .hasMessageStartingWith("--monotone needs a binary or regression target");
        ConstraintsCheck.checkTask(monotone("age=1"), Task.BINARY);
        ConstraintsCheck.checkTask(Constraints.none(), Task.MULTICLASS);
        ConstraintsCheck.check(monotone("age=1"), COLUMNS, "churn", List.of(), Task.REGRESSION, List.of("gbdt"), false);
    }

    @Test
    void editDistanceIsLevenshteinIgnoringCase() {
        assertThat(ConstraintsCheck.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(ConstraintsCheck.distance("Age", "age")).isZero();
        assertThat(ConstraintsCheck.distance("", "abc")).isEqualTo(3);
        assertThat(ConstraintsCheck.nearest("incme", List.of("age", "income"))).isEqualTo("income");
    }
}
