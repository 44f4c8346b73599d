package dev.kiln.train.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingData;
import dev.kiln.train.cart.DecisionTreeTrainer;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.ForestTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfiguredTrainersTest {
    private static final Synthetic DATA = new Synthetic(120, 3, 2);

    private static void fits(Trainer trainer) {
        TrainingData data = new TrainingData(Task.BINARY, 2, DATA.names, DATA.x, DATA.y, DATA.x, DATA.y);
        assertThat(trainer.fit(data, 1).estimator().outputs()).isEqualTo(1);
    }

    @Test
    void gbdt() {
        GbdtTrainer t = (GbdtTrainer) ConfiguredTrainers.of("gbdt", Map.of("max_depth", 3, "learning_rate", 0.2,
                "max_rounds", 40, "subsample", 0.8, "lambda", 2.0, "alpha", 0.5, "min_child_weight", 3.0,
                "colsample_bytree", 0.7), 1);
        assertThat(t.maxDepth()).isEqualTo(3);
        assertThat(t.learningRate()).isEqualTo(0.2);
        assertThat(t.maxRounds()).isEqualTo(40);
        assertThat(t.earlyStoppingRounds()).isEqualTo(GbdtTrainer.DEFAULT_EARLY_STOPPING_ROUNDS);
        assertThat(t.threads()).isEqualTo(1);
        assertThat(t.extraParams()).containsEntry("subsample", 0.8).containsEntry("lambda", 2.0)
                .containsEntry("alpha", 0.5).containsEntry("min_child_weight", 3.0).containsEntry("colsample_bytree", 0.7);
        fits(t);
    }

    @Test
    void forest() {
        ForestTrainer t = (ForestTrainer) ConfiguredTrainers.of("forest", Map.of("num_trees", 20, "max_depth", 4,
                "subsample", 0.7, "colsample_bynode", 0.5, "min_child_weight", 2.0), 1);
        assertThat(t).isEqualTo(new ForestTrainer(20, 4, 0.7, 0.5, 1, Map.of("min_child_weight", 2.0)));
        fits(t);
    }

    @Test
    void linearAndTree() {
        LinearTrainer linear = (LinearTrainer) ConfiguredTrainers.of("linear", Map.of("C", 0.1), 1);
        assertThat(linear.c()).isEqualTo(0.1);
        assertThat(linear.ridgeAlpha()).isEqualTo(new LinearTrainer().ridgeAlpha());
        fits(linear);
        DecisionTreeTrainer tree = (DecisionTreeTrainer) ConfiguredTrainers.of("tree", Map.of("max_depth", 3,
                "min_samples_leaf", 10), 1);
        assertThat(tree).isEqualTo(new DecisionTreeTrainer(3, 10, 0.0));
        fits(tree);
        fits(ConfiguredTrainers.of("baseline", Map.of(), 1));
    }

    @Test
    void unknownAlgorithmOrParameterIsRefused() {
        assertThatThrownBy(() -> ConfiguredTrainers.of("svm", Map.of(), 1)).isInstanceOf(KilnException.class)
                .hasMessageContaining("unknown algorithm 'svm'");
        assertThatThrownBy(() -> ConfiguredTrainers.of("tree", Map.of("depth", 3), 1))
                .isInstanceOf(KilnException.class).hasMessageContaining("tree: unknown hyperparameter(s) [depth]");
    }

    @Test
    void badValuesAreTheTrainersOwnErrors() {
        assertThatThrownBy(() -> ConfiguredTrainers.of("gbdt", Map.of("max_depth", 0), 1))
                .isInstanceOf(KilnException.class).hasMessageContaining("gbdt: max_depth must be");
    }
}
