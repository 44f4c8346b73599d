package dev.kiln.train.search;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.train.BaselineTrainer;
import dev.kiln.train.Trainer;
import dev.kiln.train.cart.DecisionTreeTrainer;
import dev.kiln.train.linear.LinearTrainer;
import dev.kiln.train.xgboost.ForestTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Trainer} from a search configuration (names as in {@link SearchSpace}); a parameter the configuration
 * leaves out keeps the trainer's default, so an empty configuration is {@code Trainers.byName(algorithm)}.
 */
public final class ConfiguredTrainers {
    /** Rounds without improvement on a fold's valid rows before a gbdt trial stops. */
    public static final int EARLY_STOPPING_ROUNDS = GbdtTrainer.DEFAULT_EARLY_STOPPING_ROUNDS;

    /**
     * gbdt's parameters passed to XGBoost as extra parameters, with XGBoost's own defaults; a value equal to its
     * default is left out, so the default configuration builds exactly the default trainer (and records the same
     * hyperparameters).
     */
    private static final Map<String, Double> XGBOOST_DEFAULTS = Map.of("subsample", 1.0, "colsample_bytree", 1.0,
            "lambda", 1.0, "alpha", 0.0, "min_child_weight", 1.0);

    private ConfiguredTrainers() {
    }

    /**
     * @param threads XGBoost {@code nthread} for gbdt and forest (0: all processors); the other trainers are
     *                single-threaded
     */
    public static Trainer of(String algorithm, Map<String, Object> config, int threads) {
        Map<String, Object> c = new HashMap<>(config);
        Trainer trainer = switch (algorithm) {
            case "baseline" -> new BaselineTrainer();
            case "linear" -> {
                LinearTrainer d = new LinearTrainer();
                yield new LinearTrainer(number(c, "C", d.c()), d.maxIterations(), d.tolerance(),
                        number(c, "ridge_alpha", d.ridgeAlpha()));
            }
            case "tree" -> {
                DecisionTreeTrainer d = new DecisionTreeTrainer();
                yield new DecisionTreeTrainer(integer(c, "max_depth", d.maxDepth()),
                        integer(c, "min_samples_leaf", d.minSamplesLeaf()), d.minImpurityDecrease());
            }
            case "forest" -> {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra(c, "min_child_weight", extra);
                yield new ForestTrainer(integer(c, "num_trees", ForestTrainer.DEFAULT_NUM_TREES),
                        integer(c, "max_depth", ForestTrainer.DEFAULT_MAX_DEPTH),
                        number(c, "subsample", ForestTrainer.DEFAULT_SUBSAMPLE),
                        number(c, "colsample_bynode", 0.0), threads, extra);
            }
            case "gbdt" -> {
                Map<String, Object> extra = new LinkedHashMap<>();
                for (String key : new java.util.TreeSet<>(XGBOOST_DEFAULTS.keySet())) {
                    extra(c, key, extra);
                }
                yield new GbdtTrainer(integer(c, "max_depth", GbdtTrainer.DEFAULT_MAX_DEPTH),
                        number(c, "learning_rate", GbdtTrainer.DEFAULT_LEARNING_RATE),
                        integer(c, "max_rounds", GbdtTrainer.DEFAULT_MAX_ROUNDS),
                        integer(c, "early_stopping_rounds", EARLY_STOPPING_ROUNDS), threads, extra);
            }
            default -> throw new KilnException(ErrorCode.INVALID_ARGUMENT, "unknown algorithm '" + algorithm
                    + "': expected one of baseline, linear, tree, forest, gbdt", Map.of("algorithm", algorithm));
        };
        if (!c.isEmpty()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, algorithm + ": unknown hyperparameter(s) "
                    + new java.util.TreeSet<>(c.keySet()), Map.of("algorithm", algorithm));
        }
        return trainer;
    }

    private static void extra(Map<String, Object> c, String key, Map<String, Object> extra) {
        Object v = c.remove(key);
        if (v != null && ((Number) v).doubleValue() != XGBOOST_DEFAULTS.get(key)) {
            extra.put(key, ((Number) v).doubleValue());
        }
    }

    private static double number(Map<String, Object> c, String key, double fallback) {
        Object v = c.remove(key);
        return v == null ? fallback : ((Number) v).doubleValue();
    }

    private static int integer(Map<String, Object> c, String key, int fallback) {
        Object v = c.remove(key);
        return v == null ? fallback : ((Number) v).intValue();
    }
}
