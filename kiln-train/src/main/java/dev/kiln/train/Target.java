package dev.kiln.train;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.ReadOptions;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.ClassLabels;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Values;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The target column turned into numbers: the task (given or inferred), the classes in output order
 * (binary: negative, positive), and y per row. Rows whose target is missing are set aside and reported.
 *
 * <p>Inference: a categorical, boolean or text target is classification; an integer target with at most
 * {@value #MAX_INTEGER_CLASSES} distinct values is classification; any other number is regression.
 *
 * <p>Labels as written: read the data with {@link #readOptions} so a yes/no target stays {@code yes}/{@code no}; its
 * classes are then those words and its positive class the "true" word ({@link BooleanWords}). A target read as BOOLEAN
 * (without those options) is {@code false}/{@code true}, with {@code true} positive. Other binary targets take the
 * rarer class as positive unless {@link TrainOptions#positiveClass} names one.
 */
public record Target(Task task, List<String> classes, String positiveClass, double[] y, DataFrame frame, List<String> notes) {
    static final int MAX_INTEGER_CLASSES = 10;
    static final int MAX_CLASSES = 200;

    /** How labelled data is read for a target: the target column's values as written ({@link ReadOptions#labelled}). */
    public static ReadOptions readOptions(String target) {
        return ReadOptions.labelled(target);
    }

    /**
     * This target without its frame, for a run past its split: the run's frame is then held only by its rows, which
     * let it go during the fits ({@link TrainingRows#releaseFrame}). {@link #frame()} is null.
     */
    Target detached() {
        return new Target(task, classes, positiveClass, y, null, notes);
    }

    public static Target of(DataFrame all, TrainOptions options) {
        String name = options.target();
        if (!all.has(name)) {
            throw new KilnException(ErrorCode.COLUMN_MISSING, "target column '" + name + "' is not in " + all.source()
                    + "; its columns are: " + String.join(", ", all.names()), Map.of("column", name));
        }
        DataColumn column = all.column(name);
        List<String> notes = new ArrayList<>();
        int[] present = java.util.stream.IntStream.range(0, column.size()).filter(i -> !column.isMissing(i)).toArray();
        if (present.length == 0) {
            throw new KilnException(ErrorCode.TARGET_INVALID, "target column '" + name + "' has no values (every row is missing)",
                    Map.of("column", name));
        }
        DataFrame frame = all;
        if (present.length < column.size()) {
            notes.add((column.size() - present.length) + " rows with a missing target were set aside");
            frame = all.select(present);
        }
        DataColumn target = frame.column(name);
        String[] labels = new String[target.size()];
        TreeMap<String, Integer> counts = new TreeMap<>(labelOrder(target.type()));
        for (int i = 0; i < labels.length; i++) {
            labels[i] = label(target, i);
            counts.merge(labels[i], 1, Integer::sum);
        }
        // Labels as written: a yes/no target keeps its words, one spelling per answer (BooleanWords).
        BooleanWords words = BooleanWords.of(name, counts);
        if (words != null && !words.notes().isEmpty()) {
            notes.addAll(words.notes());
            counts.clear();
            for (int i = 0; i < labels.length; i++) {
                labels[i] = words.kept(labels[i]);
                counts.merge(labels[i], 1, Integer::sum);
            }
        }
        Task task = options.task() != null ? options.task() : infer(target, counts.size());
        if (task == Task.REGRESSION) {
            if (!target.type().isNumericLike() || target.type() == ColumnType.DATETIME) {
                throw new KilnException(ErrorCode.TARGET_INVALID, "target '" + name + "' is " + target.type().wireName()
                        + "; regression needs a numeric target", Map.of("column", name));
            }
            double[] y = new double[target.size()];
            double magnitude = 0;
            for (int i = 0; i < y.length; i++) {
                y[i] = (Double) target.value(i);
                magnitude += Math.abs(y[i]);
            }
            if (!Double.isFinite(magnitude)) {
                // Every model's mean, loss and metrics would be infinite: refuse the data rather than write such a model.
                throw new KilnException(ErrorCode.TARGET_INVALID, "target '" + name + "' holds values too large to learn "
                        + "from (their sum overflows a double; largest " + largest(y) + "): rescale the target",
                        Map.of("column", name));
            }
            return new Target(task, List.of(), null, y, frame, notes);
        }
        if (counts.size() < 2) {
            throw new KilnException(ErrorCode.TARGET_INVALID, "target '" + name + "' has a single class ('"
                    + counts.firstKey() + "'); there is nothing to learn", Map.of("column", name));
        }
        if (task == Task.BINARY && counts.size() != 2) {
            throw new KilnException(ErrorCode.TARGET_INVALID, "--task binary needs exactly 2 classes; target '" + name
                    + "' has " + counts.size(), Map.of("column", name, "classes", counts.size()));
        }
        if (counts.size() > MAX_CLASSES) {
            throw new KilnException(ErrorCode.TARGET_INVALID, "target '" + name + "' has " + counts.size()
                    + " classes (at most " + MAX_CLASSES + "); is it really a class label? Use --task regression for numbers",
                    Map.of("column", name));
        }
        List<String> classes = new ArrayList<>(counts.keySet());
        String positive = null;
        if (task == Task.BINARY) {
            positive = options.positiveClass();
            if (positive == null && words != null) {
                // A yes/no question's event is its "yes", however rare.
                positive = words.trueWord();
            } else if (positive == null) {
                // The rarer class is usually the event of interest (default, fraud, churn).
                positive = counts.get(classes.get(0)) < counts.get(classes.get(1)) ? classes.get(0) : classes.get(1);
            } else if (!counts.containsKey(positive)) {
                // "Yes" or "true" (a lineage recorded before labels were kept as written) names the class "yes".
                String same = ClassLabels.match(classes, positive);
                if (same == null) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--positive-class '" + positive + "' is not a class of '"
                            + name + "'; classes are " + classes, Map.of("column", name));
                }
                positive = same;
            }
            String negative = classes.get(0).equals(positive) ? classes.get(1) : classes.get(0);
            classes = List.of(negative, positive);
        }
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int k = 0; k < classes.size(); k++) {
            index.put(classes.get(k), k);
        }
        double[] y = new double[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = index.get(labels[i]);
        }
        return new Target(task, classes, positive, y, frame, notes);
    }

    private static double largest(double[] y) {
        double largest = 0;
        for (double v : y) {
            largest = Math.max(largest, Math.abs(v));
        }
        return largest;
    }

    private static Task infer(DataColumn target, int distinct) {
        ColumnType type = target.type();
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

    private static String label(DataColumn column, int row) {
        Object v = column.value(row);
        if (v instanceof Double d) {
            if (column.type() == ColumnType.BOOLEAN) {
                return d == 1.0 ? "true" : "false";
            }
            return Values.canonicalNumberText(d);
        }
        return (String) v;
    }

    /** Numbers sort numerically (2 before 10), text alphabetically. */
    private static Comparator<String> labelOrder(ColumnType type) {
        if (type == ColumnType.INTEGER || type == ColumnType.NUMERIC) {
            return Comparator.comparingDouble(Double::parseDouble);
        }
        return Comparator.naturalOrder();
    }
}
