package dev.kiln.train.constraints;

import dev.kiln.train.Trainer;
import dev.kiln.train.cart.DecisionTreeTrainer;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.Map;

/**
 * Which candidates a person can read, for {@code --interpretable}. A model is interpretable when its whole
 * decision can be printed and followed by hand:
 * <ul>
 *   <li>baseline: a constant (the prior or the mean);</li>
 *   <li>linear: one weight per feature;</li>
 *   <li>tree (a single CART tree) with {@code max_depth <= }{@value #MAX_TREE_DEPTH}: at most 64 leaves, each a rule
 *       of at most six conditions;</li>
 *   <li>gbdt with {@code max_depth <= }{@value #MAX_GBDT_DEPTH} and at most {@value #MAX_GBDT_ROUNDS} rounds (a
 *       model of at most three-way interactions whose per-feature shape can be plotted, as Lou, Caruana et al.'s
 *       GA2M argue for shallow boosted trees) and, when {@code --monotone} is given, trained with those
 *       constraints.</li>
 * </ul>
 * A forest (hundreds of deep trees) and anything else is not. The predicate reads the hyperparameters a trainer
 * records ({@code TrainedModel.hyperparameters()}), so a configuration found by a search is judged the same way.
 */
public final class Interpretability {
    public static final int MAX_TREE_DEPTH = 6;
    public static final int MAX_GBDT_DEPTH = 3;
    public static final int MAX_GBDT_ROUNDS = 100;

    private Interpretability() {
    }

    /**
     * Whether a candidate of {@code algorithm} with these recorded hyperparameters is interpretable. For gbdt,
     * {@code rounds} (the rounds kept after early stopping) is read when recorded, else {@code max_rounds};
     * with {@code monotoneRequested}, a gbdt must carry {@code monotone_constraints}.
     */
    public static boolean isInterpretable(String algorithm, Map<String, Object> hyperparameters, boolean monotoneRequested) {
        Map<String, Object> h = hyperparameters == null ? Map.of() : hyperparameters;
        switch (algorithm) {
            case "baseline", "linear":
                return true;
            case "tree":
                return atMost(h.get("max_depth"), MAX_TREE_DEPTH);
            case "gbdt":
                Object rounds = h.containsKey("rounds") ? h.get("rounds") : h.get("max_rounds");
                return atMost(h.get("max_depth"), MAX_GBDT_DEPTH) && atMost(rounds, MAX_GBDT_ROUNDS)
                        && (!monotoneRequested || h.containsKey("monotone_constraints"));
            default:
                return false;
        }
    }

    /** Whether {@code algorithm} has an interpretable configuration ({@link #trainer}) at all. */
    public static boolean canBeInterpretable(String algorithm) {
        return trainer(algorithm) != null;
    }

    /**
     * The trainer to fit for {@code algorithm} under {@code --interpretable}: linear as it is, a tree of depth
     * {@value #MAX_TREE_DEPTH}, {@link #interpretableGbdt()}; null for an algorithm that has no interpretable
     * configuration (forest), which the lead drops. The baseline is returned as null too: it is trained anyway.
     */
    public static Trainer trainer(String algorithm) {
        switch (algorithm) {
            case "linear":
                return new LinearTrainer();
            case "tree":
                return interpretableTree();
            case "gbdt":
                return interpretableGbdt();
            default:
                return null;
        }
    }

    /** A single CART tree of depth {@value #MAX_TREE_DEPTH}, the other settings as the default tree's. */
    public static DecisionTreeTrainer interpretableTree() {
        DecisionTreeTrainer defaults = new DecisionTreeTrainer();
        return new DecisionTreeTrainer(MAX_TREE_DEPTH, defaults.minSamplesLeaf(), defaults.minImpurityDecrease());
    }

    /**
     * Boosted trees of depth {@value #MAX_GBDT_DEPTH}, at most {@value #MAX_GBDT_ROUNDS} rounds with the default
     * learning rate and early stopping: shallow enough to read, still usually far better than one tree.
     */
    public static GbdtTrainer interpretableGbdt() {
        return new GbdtTrainer(MAX_GBDT_DEPTH, GbdtTrainer.DEFAULT_LEARNING_RATE, MAX_GBDT_ROUNDS,
                GbdtTrainer.DEFAULT_EARLY_STOPPING_ROUNDS, 0, Map.of());
    }

    private static boolean atMost(Object value, int limit) {
        return value instanceof Number n && n.doubleValue() <= limit;
    }
}
