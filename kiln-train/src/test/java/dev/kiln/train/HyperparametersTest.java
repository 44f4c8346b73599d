package dev.kiln.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.train.cart.DecisionTreeTrainer;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.ForestTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.HashMap;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** A trainer built with a bad hyperparameter names the algorithm, the parameter and what it accepts. */
class HyperparametersTest {
    private static void refused(ThrowingCallable build, String message, String parameter) {
        assertThatThrownBy(build).isInstanceOfSatisfying(KilnException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.details()).containsEntry("parameter", parameter);
        }).hasMessage(message);
    }

    @Test
    void gbdt() {
        refused(() -> new GbdtTrainer(0, 0.1, 10, 0, 0, Map.of()), "gbdt: max_depth must be an integer >= 1, got 0", "max_depth");
        refused(() -> new GbdtTrainer(3, 1.5, 10, 0, 0, Map.of()), "gbdt: learning_rate must be in (0, 1], got 1.5", "learning_rate");
        refused(() -> new GbdtTrainer(3, Double.NaN, 10, 0, 0, Map.of()), "gbdt: learning_rate must be in (0, 1], got NaN", "learning_rate");
        refused(() -> new GbdtTrainer(3, 0.1, 0, 0, 0, Map.of()), "gbdt: max_rounds must be an integer >= 1, got 0", "max_rounds");
        refused(() -> new GbdtTrainer(3, 0.1, 10, -1, 0, Map.of()),
                "gbdt: early_stopping_rounds must be an integer >= 0 (0: no early stopping), got -1", "early_stopping_rounds");
        refused(() -> new GbdtTrainer(3, 0.1, 10, 0, -2, Map.of()), "gbdt: threads must be an integer >= 0 (0: all processors), got -2", "threads");
        Map<String, Object> unset = new HashMap<>();
        unset.put("lambda", null);
        refused(() -> new GbdtTrainer(3, 0.1, 10, 0, 0, unset), "gbdt: XGBoost parameter lambda must be set to a value, got null",
                "XGBoost parameter lambda");
    }

    @Test
    void forest() {
        refused(() -> new ForestTrainer(0, 3, 0.5, 0, 0, Map.of()), "forest: num_trees must be an integer >= 1, got 0", "num_trees");
        refused(() -> new ForestTrainer(5, 0, 0.5, 0, 0, Map.of()), "forest: max_depth must be an integer >= 1, got 0", "max_depth");
        refused(() -> new ForestTrainer(5, 3, 0, 0, 0, Map.of()), "forest: subsample must be in (0, 1], got 0.0", "subsample");
        refused(() -> new ForestTrainer(5, 3, 0.5, 2, 0, Map.of()),
                "forest: colsample_bynode must be in (0, 1], or 0 for sqrt(p)/p, got 2.0", "colsample_bynode");
        refused(() -> new ForestTrainer(5, 3, 0.5, 0, -1, Map.of()), "forest: threads must be an integer >= 0 (0: all processors), got -1", "threads");
    }

    @Test
    void treeAndLinear() {
        refused(() -> new DecisionTreeTrainer(-1, 5, 0), "tree: max_depth must be an integer >= 0, got -1", "max_depth");
        refused(() -> new DecisionTreeTrainer(3, 0, 0), "tree: min_samples_leaf must be an integer >= 1, got 0", "min_samples_leaf");
        refused(() -> new DecisionTreeTrainer(3, 5, -0.1), "tree: min_impurity_decrease must be a number >= 0, got -0.1", "min_impurity_decrease");
        refused(() -> new LinearTrainer(0, 100, 1e-6, 1e-6), "linear: C must be a finite number > 0, got 0.0", "C");
        refused(() -> new LinearTrainer(Double.POSITIVE_INFINITY, 100, 1e-6, 1e-6), "linear: C must be a finite number > 0, got Infinity", "C");
        refused(() -> new LinearTrainer(1, 0, 1e-6, 1e-6), "linear: max_iter must be an integer >= 1, got 0", "max_iter");
        refused(() -> new LinearTrainer(1, 100, -1, 1e-6), "linear: tol must be a number > 0, got -1.0", "tol");
        refused(() -> new LinearTrainer(1, 100, 1e-6, Double.NaN), "linear: ridge_alpha must be a finite number > 0, got NaN", "ridge_alpha");
    }

    @Test
    void anUnknownAlgorithmNameListsTheKnownOnes() {
        assertThatThrownBy(() -> Trainers.byName("xgb")).isInstanceOfSatisfying(KilnException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessage("unknown algorithm 'xgb': expected one of " + TrainOptions.ALL_ALGORITHMS);
        assertThatThrownBy(() -> Trainers.byName(null)).isInstanceOf(KilnException.class)
                .hasMessageContaining("expected one of [baseline, linear, tree, forest, gbdt, gbdt_native, gbdt_balanced, ensemble]");
    }
}
