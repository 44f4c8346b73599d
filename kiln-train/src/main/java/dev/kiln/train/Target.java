package dev.kiln.train;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.ReadOptions;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The target column turned into numbers: the task (given or inferred), the classes in output order
 * (binary: negative, positive), and y per row. Rows whose target is missing are set aside and reported.
 *
 * <p>Inference: a categorical, boolean or text target is classification; an integer target with at most
 * {@value #MAX_INTEGER_CLASSES} distinct values is classification; any other number is regression.
 *
 * <p>Labels as written: read the data with {@link #readOptions} so a yes/no target stays {@code yes}/{@code no}; its
 * classes are then those words and its positive class the "true" word ({@link TargetWords}). A target read as BOOLEAN
 * (without those options) has the words of its column ({@code NumericColumn#words}, one spelling per answer), its
 * "true" word positive. Other binary targets take the
 * rarer class as positive unless {@link TrainOptions#positiveClass} names one. The rule is {@link TargetClasses}'s.
 */
public record Target(Task task, List<String> classes, String positiveClass, double[] y, DataFrame frame, List<String> notes) {
    static final int MAX_INTEGER_CLASSES = TargetClasses.MAX_INTEGER_CLASSES;

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
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < labels.length; i++) {
            labels[i] = label(target, i);
            counts.merge(labels[i], 1, Integer::sum);
        }
        TargetClasses rule = TargetClasses.of(name, target.type(), counts, options.task(), options.positiveClass());
        notes.addAll(rule.notes());
        if (rule.task() == Task.REGRESSION) {
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
            return new Target(rule.task(), List.of(), null, y, frame, notes);
        }
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int k = 0; k < rule.classes().size(); k++) {
            index.put(rule.classes().get(k), k);
        }
        double[] y = new double[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = index.get(rule.classOf(labels[i]));
        }
        return new Target(rule.task(), rule.classes(), rule.positiveClass(), y, frame, notes);
    }

    private static double largest(double[] y) {
        double largest = 0;
        for (double v : y) {
            largest = Math.max(largest, Math.abs(v));
        }
        return largest;
    }

    private static String label(DataColumn column, int row) {
        Object v = column.value(row);
        if (v instanceof Double d) {
            if (column.type() == ColumnType.BOOLEAN) {
                return column.text(row); // in the file's words
            }
            return Values.canonicalNumberText(d);
        }
        return (String) v;
    }
}
