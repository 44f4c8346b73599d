package dev.kiln.train.search;

import dev.kiln.runtime.Task;
import dev.kiln.train.cart.DecisionTreeTrainer;
import dev.kiln.train.xgboost.ForestTrainer;
import dev.kiln.train.xgboost.GbdtTrainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The hyperparameters searched for each algorithm, with their ranges (docs/training.md, "Search", has the
 * table). Every dimension's default is its trainer's default, so each algorithm's first configuration is exactly
 * the trainer {@code Trainers.byName} builds, and a search can only match or beat it on the validation folds.
 *
 * @param byAlgorithm the dimensions of each algorithm, in a fixed order; baseline has none
 */
public record SearchSpace(Map<String, List<Dimension>> byAlgorithm) {
    /** gbdt's cap on boosting rounds in a search; each fold stops early on its valid rows. */
    public static final int GBDT_MAX_ROUNDS = 1000;

    public SearchSpace {
        Map<String, List<Dimension>> copy = new LinkedHashMap<>();
        byAlgorithm.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        byAlgorithm = java.util.Collections.unmodifiableMap(copy);
    }

    /** Kiln's spaces. */
    public static SearchSpace defaults() {
        Map<String, List<Dimension>> m = new LinkedHashMap<>();
        m.put("baseline", List.of());
        m.put("linear", List.of(
                new Dimension("C", Dimension.Scale.LOG, 1e-3, 1e3, 1.0),
                new Dimension("ridge_alpha", Dimension.Scale.LOG, 1e-6, 10.0, 1e-6)));
        m.put("tree", List.of(
                new Dimension("max_depth", Dimension.Scale.INT, 2, 16, 8),
                new Dimension("min_samples_leaf", Dimension.Scale.INT, 1, 50, 5)));
        m.put("forest", List.of(
                new Dimension("num_trees", Dimension.Scale.INT, 50, 500, ForestTrainer.DEFAULT_NUM_TREES),
                new Dimension("max_depth", Dimension.Scale.INT, 2, 16, ForestTrainer.DEFAULT_MAX_DEPTH),
                new Dimension("subsample", Dimension.Scale.LINEAR, 0.4, 1.0, ForestTrainer.DEFAULT_SUBSAMPLE),
                // 0, the default, means sqrt(p)/p features per split.
                new Dimension("colsample_bynode", Dimension.Scale.LINEAR, 0.1, 1.0, 0.0),
                new Dimension("min_child_weight", Dimension.Scale.LOG, 0.5, 20.0, 1.0)));
        m.put("gbdt", List.of(
                new Dimension("max_depth", Dimension.Scale.INT, 2, 10, GbdtTrainer.DEFAULT_MAX_DEPTH),
                new Dimension("learning_rate", Dimension.Scale.LOG, 0.01, 0.3, GbdtTrainer.DEFAULT_LEARNING_RATE),
                new Dimension("max_rounds", Dimension.Scale.CAP, 10, GBDT_MAX_ROUNDS,
                        GbdtTrainer.DEFAULT_MAX_ROUNDS),
                new Dimension("subsample", Dimension.Scale.LINEAR, 0.5, 1.0, 1.0),
                new Dimension("colsample_bytree", Dimension.Scale.LINEAR, 0.5, 1.0, 1.0),
                new Dimension("lambda", Dimension.Scale.LOG, 1e-3, 10.0, 1.0),
                new Dimension("alpha", Dimension.Scale.LOG, 1e-3, 10.0, 0.0),
                new Dimension("min_child_weight", Dimension.Scale.LOG, 0.5, 20.0, 1.0)));
        return new SearchSpace(m);
    }

    /**
     * The dimensions that matter for {@code algorithm} on {@code task}: linear searches C (scikit-learn's inverse
     * L2 strength) for classification and ridge_alpha for regression.
     */
    public List<Dimension> dimensions(String algorithm, Task task) {
        List<Dimension> all = byAlgorithm.getOrDefault(algorithm, List.of());
        if (!algorithm.equals("linear")) {
            return all;
        }
        String used = task == Task.REGRESSION ? "ridge_alpha" : "C";
        return all.stream().filter(d -> d.name().equals(used)).toList();
    }

    /** The first configuration: every dimension at its default. */
    public Map<String, Object> first(String algorithm, Task task) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (Dimension d : dimensions(algorithm, task)) {
            config.put(d.name(), d.first());
        }
        return config;
    }

    /** {@code count} configurations: the first, then ones drawn from the ranges (seeded), without repeats. */
    public List<Map<String, Object>> sample(String algorithm, Task task, int count, long seed) {
        List<Dimension> dims = dimensions(algorithm, task);
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(first(algorithm, task));
        SplittableRandom random = new SplittableRandom(seed);
        int attempts = 0;
        while (out.size() < count && attempts < count * 20) {
            attempts++;
            Map<String, Object> config = new LinkedHashMap<>();
            for (Dimension d : dims) {
                config.put(d.name(), d.sample(random));
            }
            if (!out.contains(config)) {
                out.add(config);
            }
        }
        return out;
    }

    /** All keys a narrowing may name, {@code algorithm.parameter}. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        byAlgorithm.forEach((algorithm, dims) -> dims.forEach(d -> keys.add(algorithm + "." + d.name())));
        return keys;
    }

    /** This space with a user's narrowing applied; see {@link SearchSpaceNarrowing} for the syntax. */
    public SearchSpace narrow(String spec) {
        return SearchSpaceNarrowing.apply(this, spec);
    }
}
