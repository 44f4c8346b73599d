package dev.kiln.train.constraints;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Refuses constraints that are bad input or contradict the other options, before anything is trained, with
 * {@link ErrorCode#INVALID_ARGUMENT} (an unknown column: {@link ErrorCode#COLUMN_MISSING}, as for {@code --exclude})
 * and a message naming the option, worded as {@code Training.checkOptions}'.
 */
public final class ConstraintsCheck {
    private ConstraintsCheck() {
    }

    /** Everything below, for a run whose data has {@code columns} (name to type, in file order). */
    public static void check(Constraints c, Map<String, ColumnType> columns, String target, Collection<String> excluded,
                             Task task, List<String> algorithms, boolean warmStart) {
        checkOptions(c, algorithms, warmStart);
        checkColumns(c, columns, target, excluded);
        checkTask(c, task);
    }

    /**
     * What needs no data: limits are finite numbers > 0; {@code --interpretable} needs an algorithm that can be
     * interpretable; {@code --monotone} one that can honour it and no warm start (the parent's trees were grown
     * without the constraints). {@code algorithms}: {@code --algorithms} as given; the baseline does not count (it
     * is only a reference) and an empty list (the baseline alone) asks for nothing.
     */
    public static void checkOptions(Constraints c, List<String> algorithms, boolean warmStart) {
        positive("--max-latency-us", c.maxLatencyMicros());
        if (c.maxBundleBytes() != null && c.maxBundleBytes() <= 0) {
            throw notPositive("--max-bundle-kb", (double) c.maxBundleBytes() / Constraints.KB);
        }
        positive("--max-train-seconds", c.maxTrainSeconds());
        List<String> models = algorithms.stream().filter(a -> !a.equals("baseline")).toList();
        if (c.interpretable() && !models.isEmpty() && models.stream().noneMatch(Interpretability::canBeInterpretable)) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--interpretable: no algorithm of --algorithms "
                    + String.join(",", models) + " can be interpretable; linear, tree (depth <= "
                    + Interpretability.MAX_TREE_DEPTH + ") and gbdt (depth <= " + Interpretability.MAX_GBDT_DEPTH
                    + ", <= " + Interpretability.MAX_GBDT_ROUNDS + " rounds) can: add one, or drop --interpretable",
                    Map.of("option", "--interpretable", "algorithms", models));
        }
        if (!c.monotone().isEmpty()) {
            if (warmStart) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--monotone cannot be used with a warm start: the "
                        + "parent's trees were grown without the constraints, so the continued model would not honour "
                        + "them; train from scratch", Map.of("option", "--monotone"));
            }
            if (!models.isEmpty() && models.stream().noneMatch(Monotone::honours)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--monotone: no algorithm of --algorithms "
                        + String.join(",", models) + " can honour monotone constraints (a single tree cannot); "
                        + "linear, gbdt and forest can: add one, or drop --monotone",
                        Map.of("option", "--monotone", "algorithms", models));
            }
        }
    }

    /**
     * Why {@code algorithm} is not trained under these constraints, or null when it is: the single tree under
     * {@code --monotone}, the forest under {@code --interpretable}. For the run's notes.
     */
    public static String notTrained(Constraints c, String algorithm) {
        if (algorithm.equals("baseline")) {
            return null;
        }
        if (!c.monotone().isEmpty() && !Monotone.honours(algorithm)) {
            return algorithm + ": not trained, it cannot honour --monotone";
        }
        if (c.interpretable() && !Interpretability.canBeInterpretable(algorithm)) {
            return algorithm + ": not trained, it has no interpretable configuration (--interpretable)";
        }
        return null;
    }

    /**
     * Each {@code --monotone} column exists (else the nearest name is suggested), is not the target nor excluded,
     * and is ordered and numeric: numeric, integer or boolean. A categorical or text column has no order; a datetime
     * becomes calendar parts (month, day of week) that do not grow with time.
     */
    public static void checkColumns(Constraints c, Map<String, ColumnType> columns, String target,
                                    Collection<String> excluded) {
        for (Map.Entry<String, Integer> e : c.monotone().entrySet()) {
            String column = e.getKey();
            ColumnType type = columns.get(column);
            if (type == null) {
                String nearest = nearest(column, columns.keySet());
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("option", "--monotone");
                details.put("column", column);
                if (nearest != null) {
                    details.put("nearest", nearest);
                }
                details.put("available", new ArrayList<>(columns.keySet()));
                throw new KilnException(ErrorCode.COLUMN_MISSING, "--monotone names column '" + column
                        + "', which is not in the data" + (nearest == null ? "" : " (did you mean '" + nearest + "'?)"),
                        details);
            }
            if (column.equals(target)) {
                throw column("--monotone '" + column + "' is the target; constrain an input column", column);
            }
            if (excluded != null && excluded.contains(column)) {
                throw column("--monotone '" + column + "' is excluded by --exclude; constrain a column the model reads,"
                        + " or stop excluding it", column);
            }
            if (type == ColumnType.DATETIME) {
                throw column("--monotone '" + column + "' is a datetime column, which Kiln turns into calendar parts "
                        + "(month, day of week) that do not grow with time; monotone needs an ordered, numeric column "
                        + "(numeric, integer or boolean)", column);
            }
            if (!type.isNumericLike()) {
                throw column("--monotone '" + column + "' is a " + type.wireName() + " column, which has no order; "
                        + "monotone needs an ordered, numeric column (numeric, integer or boolean)", column);
            }
        }
    }

    /**
     * Monotone constraints need one output: with several classes each class's score could be constrained, but
     * softmax probabilities would still not be monotone, so the promise could not be kept.
     */
    public static void checkTask(Constraints c, Task task) {
        if (!c.monotone().isEmpty() && task == Task.MULTICLASS) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--monotone needs a binary or regression target: with "
                    + "several classes no direction of one column can hold for every class's probability",
                    Map.of("option", "--monotone"));
        }
    }

    static void positive(String option, Double value) {
        if (value != null && !(value > 0 && Double.isFinite(value))) {
            throw notPositive(option, value);
        }
    }

    private static KilnException notPositive(String option, double value) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, option + " must be a number > 0, got "
                + ChoiceWording.number(value), Map.of("option", option, "value", String.valueOf(value)));
    }

    private static KilnException column(String message, String column) {
        return new KilnException(ErrorCode.INVALID_ARGUMENT, message, Map.of("option", "--monotone", "column", column));
    }

    /** The name nearest to {@code name} by edit distance, when near enough to be a typo of it; else null. */
    static String nearest(String name, Collection<String> names) {
        String nearest = names.stream().min(Comparator.comparingInt((String n) -> distance(n, name))
                .thenComparing(Comparator.naturalOrder())).orElse(null);
        return nearest != null && distance(nearest, name) <= Math.max(2, name.length() / 3) ? nearest : null;
    }

    /** Levenshtein distance, case-insensitive (a column given as Age for age is the usual slip). */
    static int distance(String a, String b) {
        String s = a.toLowerCase(java.util.Locale.ROOT);
        String t = b.toLowerCase(java.util.Locale.ROOT);
        int[] previous = new int[t.length() + 1];
        int[] current = new int[t.length() + 1];
        for (int j = 0; j <= t.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= s.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= t.length(); j++) {
                int substitution = previous[j - 1] + (s.charAt(i - 1) == t.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[t.length()];
    }
}
