package dev.kiln.train.constraints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.train.cart.DecisionTreeTrainer;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpretabilityTest {
    @Test
    void linearBaselineShallowTreesAndSmallShallowBoostingAreReadable() {
        assertThat(Interpretability.isInterpretable("linear", Map.of("C", 1.0), false)).isTrue();
        assertThat(Interpretability.isInterpretable("baseline", null, true)).isTrue();
        assertThat(Interpretability.isInterpretable("tree", Map.of("max_depth", 6), false)).isTrue();
        assertThat(Interpretability.isInterpretable("tree", Map.of("max_depth", 8), false)).isFalse();
        assertThat(Interpretability.isInterpretable("gbdt", Map.of("max_depth", 3, "rounds", 80, "max_rounds", 300), false))
                .as("early stopping kept 80 rounds").isTrue();
        assertThat(Interpretability.isInterpretable("gbdt", Map.of("max_depth", 3, "rounds", 101), false)).isFalse();
        assertThat(Interpretability.isInterpretable("gbdt", Map.of("max_depth", 4, "rounds", 50), false)).isFalse();
        assertThat(Interpretability.isInterpretable("gbdt", Map.of("max_depth", 2, "max_rounds", 100), false)).isTrue();
        assertThat(Interpretability.isInterpretable("gbdt", Map.of("max_depth", 2, "rounds", 50), true))
                .as("--monotone given, trained without it").isFalse();
        assertThat(Interpretability.isInterpretable("gbdt",
                Map.of("max_depth", 2, "rounds", 50, "monotone_constraints", "(1)"), true)).isTrue();
        assertThat(Interpretability.isInterpretable("forest", Map.of("max_depth", 1), false)).isFalse();
        assertThat(Interpretability.isInterpretable("tree", Map.of(), false)).as("depth unknown").isFalse();
    }

    @Test
    void theInterpretableConfigurationsMeetThePredicate() {
        GbdtTrainer gbdt = Interpretability.interpretableGbdt();
        assertThat(gbdt.maxDepth()).isEqualTo(3);
        assertThat(gbdt.maxRounds()).isEqualTo(100);
        assertThat(Interpretability.isInterpretable("gbdt", Map.of("max_depth", gbdt.maxDepth(), "max_rounds",
                gbdt.maxRounds()), false)).isTrue();
        DecisionTreeTrainer tree = Interpretability.interpretableTree();
        assertThat(Interpretability.isInterpretable("tree", Map.of("max_depth", tree.maxDepth()), false)).isTrue();
        assertThat(Interpretability.trainer("linear")).isEqualTo(new LinearTrainer());
        assertThat(Interpretability.trainer("gbdt")).isEqualTo(gbdt);
        assertThat(Interpretability.trainer("forest")).isNull();
        assertThat(Interpretability.canBeInterpretable("tree")).isTrue();
        assertThat(Interpretability.canBeInterpretable("forest")).isFalse();
    }

    @Test
    void factsOfATrainedCandidateReadItsRecordedHyperparameters() {
        Constraints monotone = new Constraints(null, null, null, false, Map.of("x", 1));
        CandidateFacts gbdt = CandidateFacts.of("gbdt", 0.9, true, 5, 100, 1,
                Map.of("max_depth", 3, "rounds", 40, "monotone_constraints", "(1)"), monotone);
        assertThat(gbdt.interpretable()).isTrue();
        assertThat(gbdt.honoursMonotone()).isTrue();
        CandidateFacts tree = CandidateFacts.of("tree", 0.8, true, 5, 100, 1, Map.of("max_depth", 8), monotone);
        assertThat(tree.interpretable()).isFalse();
        assertThat(tree.honoursMonotone()).isFalse();
        assertThat(CandidateFacts.of("tree", 0.8, true, 5, 100, 1, Map.of(), Constraints.none()).honoursMonotone()).isTrue();
        assertThat(CandidateFacts.of("baseline", 0.5, true, 1, 10, 0, Map.of(), monotone).honoursMonotone()).isTrue();
    }
}
