package dev.kiln.train.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import org.junit.jupiter.api.Test;

class ValidationPlanTest {
    @Test
    void oneGroupIsRefusedNamingTheOption() {
        String[] groups = {"a", "a", "a", "a"};
        assertThatThrownBy(() -> ValidationPlan.of(ValidationRequest.of(4, null, groups, null, 1)))
                .isInstanceOfSatisfying(KilnException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("--group-column").hasMessageContaining("at least 2 groups");
    }

    @Test
    void fewerGroupsThanFoldsGiveOneFoldPerGroup() {
        String[] groups = {"a", "b", "c", "a", "b", "c", "a"};
        ValidationPlan plan = ValidationPlan.of(ValidationRequest.of(7, null, groups, null, 1));
        assertThat(plan.kind()).isEqualTo(ValidationPlan.Kind.GROUP_KFOLD);
        assertThat(plan.folds()).hasSize(3);
        assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("3 groups, fewer than 5 folds"));
    }

    @Test
    void aClassWithOneRowIsAllowedWithANote() {
        int[] y = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2};
        ValidationPlan plan = ValidationPlan.of(ValidationRequest.of(y.length, y, null, null, 1));
        assertThat(plan.kind()).isEqualTo(ValidationPlan.Kind.STRATIFIED_KFOLD);
        assertThat(plan.notes()).anySatisfy(n -> assertThat(n).startsWith("class 2 has 1 row"));
    }

    @Test
    void theThresholdSwitchesToHoldout() {
        ValidationPlan below = ValidationPlan.of(ValidationRequest.of(19_999, null, null, null, 1));
        ValidationPlan at = ValidationPlan.of(ValidationRequest.of(20_000, null, null, null, 1));
        assertThat(below.kind()).isEqualTo(ValidationPlan.Kind.KFOLD);
        assertThat(below.description()).isEqualTo("shuffled 5-fold cross-validation of 19999 rows");
        assertThat(at.kind()).isEqualTo(ValidationPlan.Kind.HOLDOUT);
        assertThat(at.folds().get(0).valid()).hasSize(4_000);
    }

    @Test
    void holdoutByTimeTakesTheLatestRows() {
        double[] times = {5, 1, 4, 2, 3, 9, 8, 7, 6, 0};
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(10, null, null, times, 5, 0.2, 5, 1));
        assertThat(plan.folds().get(0).valid()).containsExactly(5, 6); // times 9 and 8
        assertThat(plan.description()).contains("latest 2");
    }

    @Test
    void forwardChainingFollowsTimeSeriesSplit() {
        double[] times = new double[12];
        for (int i = 0; i < 12; i++) {
            times[i] = 11 - i; // row 11 is the earliest
        }
        ValidationPlan plan = ValidationPlan.of(new ValidationRequest(12, null, null, times, 3, 0.2, 20_000, 1));
        // sklearn TimeSeriesSplit(3) on 12 time-ordered rows: fit [0,3) valid [3,6); fit [0,6) valid [6,9); ...
        assertThat(plan.folds()).hasSize(3);
        assertThat(plan.folds().get(0).fit()).containsExactly(9, 10, 11);
        assertThat(plan.folds().get(0).valid()).containsExactly(6, 7, 8);
        assertThat(plan.folds().get(2).valid()).containsExactly(0, 1, 2);
        assertThat(plan.notes()).anySatisfy(n -> assertThat(n).contains("earliest 3 rows"));
    }

    @Test
    void groupAndTimeTogetherAreRefused() {
        assertThatThrownBy(() -> ValidationPlan.of(ValidationRequest.of(2, null, new String[] {"a", "b"},
                new double[] {1, 2}, 1))).isInstanceOf(KilnException.class).hasMessageContaining("--time-column");
    }
}
