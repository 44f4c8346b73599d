package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.ClassLabels;
import dev.kiln.runtime.schema.ColumnType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kiln train's rule for what a target is, from how many rows hold each of its labels (labels as {@link Target} writes
 * them): the task, given or inferred (a categorical, boolean or text target is classification; an integer one with at
 * most {@value #MAX_INTEGER_CLASSES} distinct values too; any other number regression), and for classification the
 * classes in output order (binary: negative, positive) and the positive class ({@link TrainOptions#positiveClass},
 * else a yes/no target's "true" word, else the rarer class), a yes/no answer written several ways being one class
 * ({@link TargetWords}). {@link Target} applies it to a column in memory, kiln spark train to labels counted on Spark.
 *
 * @param task          the task; for regression the classes are empty
 * @param classes       the classes in output order
 * @param positiveClass the positive class of a binary target, else null
 * @param spelling      a label as written to the class it belongs to, where a yes/no answer is written more than one
 *                      way; any other label is its own class ({@link #classOf})
 * @param notes         training notes (the spellings merged)
 */
public record TargetClasses(Task task, List<String> classes, String positiveClass, Map<String, String> spelling,
                            List<String> notes) {
    public static final int MAX_INTEGER_CLASSES = 10;
    public static final int MAX_CLASSES = 200;

    /** The class of a label as written. */
    public String classOf(String label) {
        return spelling.getOrDefault(label, label);
    }

    /**
     * The rule applied to target {@code name} of type {@code type} whose present values have the labels {@code counts}
     * counts (at least one). {@code given} and {@code positiveClass} are the options ({@code --task},
     * {@code --positive-class}), null when not given. A regression target's type is the caller's to check. {@code counts}
     * may stop at {@link #MAX_CLASSES} + 1 labels: enough to refuse the target.
     */
    public static TargetClasses of(String name, ColumnType type, Map<String, ? extends Number> counts, Task given,
                                   String positiveClass) {
        TreeMap<String, Long> asWritten = new TreeMap<>(labelOrder(type));
        counts.forEach((label, n) -> asWritten.merge(label, n.longValue(), Long::sum));
        TreeMap<String, Long> rows = asWritten;
        // Labels as written: a yes/no target keeps its words, one spelling per answer.
        TargetWords words = TargetWords.of(name, rows);
        Map<String, String> spelling = Map.of();
        List<String> notes = List.of();
        if (words != null && !words.notes().isEmpty()) {
            spelling = words.spelling();
            notes = words.notes();
            TreeMap<String, Long> merged = new TreeMap<>(labelOrder(type));
            asWritten.forEach((label, n) -> merged.merge(words.kept(label), n, Long::sum));
            rows = merged;
        }
        Task task = given != null ? given : infer(type, rows.size());
        if (task == Task.REGRESSION) {
            return new TargetClasses(task, List.of(), null, spelling, notes);
        }
        if (rows.size() < 2) {
            throw new KilnException(ErrorCode.TARGET_INVALID, "target '" + name + "' has a single class ('"
                    + rows.firstKey() + "'); there is nothing to learn", Map.of("column", name));
        }
        if (task == Task.BINARY && rows.size() != 2) {
            throw new KilnException(ErrorCode.TARGET_INVALID, "--task binary needs exactly 2 classes; target '" + name
                    + "' has " + rows.size(), Map.of("column", name, "classes", rows.size()));
        }
        if (rows.size() > MAX_CLASSES) {
            // A caller may count only up to MAX_CLASSES + 1 labels (kiln spark train does): that many is "more than".
            String many = rows.size() > MAX_CLASSES + 1 ? String.valueOf(rows.size()) : "more than " + MAX_CLASSES;
            throw new KilnException(ErrorCode.TARGET_INVALID, "target '" + name + "' has " + many + " classes (at most "
                    + MAX_CLASSES + "); is it really a class label? Use --task regression for numbers", Map.of("column", name));
        }
        List<String> classes = new ArrayList<>(rows.keySet());
        if (task != Task.BINARY) {
            return new TargetClasses(task, List.copyOf(classes), null, spelling, notes);
        }
        String positive = positiveClass;
        if (positive == null && words != null) {
            // A yes/no question's event is its "yes", however rare.
            positive = words.trueWord();
        } else if (positive == null) {
            // The rarer class is usually the event of interest (default, fraud, churn).
            positive = rows.get(classes.get(0)) < rows.get(classes.get(1)) ? classes.get(0) : classes.get(1);
        } else if (!rows.containsKey(positive)) {
            // "Yes" or "true" (a lineage recorded before labels were kept as written) names the class "yes".
            String same = ClassLabels.match(classes, positive);
            if (same == null) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--positive-class '" + positive + "' is not a class of '"
                        + name + "'; classes are " + classes, Map.of("column", name));
            }
            positive = same;
        }
        String negative = classes.get(0).equals(positive) ? classes.get(1) : classes.get(0);
        return new TargetClasses(task, List.of(negative, positive), positive, spelling, notes);
    }

    /** The task a target of {@code type} with {@code distinct} labels is, when none is given. */
    static Task infer(ColumnType type, int distinct) {
        boolean classification = switch (type) {
            case CATEGORICAL, BOOLEAN, TEXT -> true;
            case INTEGER -> distinct <= MAX_INTEGER_CLASSES;
            case NUMERIC, DATETIME -> false;
        };
        if (!classification) {
            return Task.REGRESSION;
        }
        return distinct <= 2 ? Task.BINARY : Task.MULTICLASS;
    }

    /** Labels in class order: numbers numerically (2 before 10), text alphabetically. */
    public static Comparator<String> labelOrder(ColumnType type) {
        if (type == ColumnType.INTEGER || type == ColumnType.NUMERIC) {
            return Comparator.comparingDouble(Double::parseDouble);
        }
        return Comparator.naturalOrder();
    }
}
