package dev.kiln.spark.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Values;
import dev.kiln.spark.SparkValues;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * The target column as kiln train's {@code Target} reads it, from Spark rows: the task (given, or inferred by the same
 * rule: a categorical, boolean or text target is classification, an integer one with at most 10 distinct values too,
 * any other number regression), the classes in output order (binary: negative, positive) and each row's label.
 *
 * @param type the target's Kiln type over every row
 */
public record TargetColumn(String name, ColumnType type, Task task, List<String> classes, String positiveClass) {
    static final int MAX_INTEGER_CLASSES = 10;
    static final int MAX_CLASSES = 200;

    /** The target of {@code data} (its rows with a target value), typed {@code type}, as {@code options} ask. */
    static TargetColumn of(Dataset<Row> data, String name, ColumnType type, SparkTrainOptions options) {
        Task given = options.task();
        boolean regression = given == Task.REGRESSION
                || given == null && (type == ColumnType.NUMERIC || type == ColumnType.DATETIME);
        if (regression) {
            if (!type.isNumericLike() || type == ColumnType.DATETIME) {
                throw new KilnException(ErrorCode.TARGET_INVALID, "target '" + name + "' is " + type.wireName()
                        + "; regression needs a numeric target", Map.of("column", name));
            }
            return new TargetColumn(name, type, Task.REGRESSION, List.of(), null);
        }
        int at = data.schema().fieldIndex(name);
        String typeName = type.name();
        List<Row> counted = data.map((MapFunction<Row, String>) r -> label(r.get(at), ColumnType.valueOf(typeName)),
                Encoders.STRING()).groupBy("value").count().limit(MAX_CLASSES + 1).collectAsList();
        TreeMap<String, Long> counts = new TreeMap<>(labelOrder(type));
        for (Row r : counted) {
            counts.put(r.getString(0), r.getLong(1));
        }
        Task task = given != null ? given
                : type == ColumnType.INTEGER && counts.size() > MAX_INTEGER_CLASSES ? Task.REGRESSION
                : counts.size() <= 2 ? Task.BINARY : Task.MULTICLASS;
        if (task == Task.REGRESSION) {
            return new TargetColumn(name, type, task, List.of(), null);
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
            throw new KilnException(ErrorCode.TARGET_INVALID, "target '" + name + "' has more than " + MAX_CLASSES
                    + " classes; is it really a class label? Use --task regression for numbers", Map.of("column", name));
        }
        List<String> classes = new ArrayList<>(counts.keySet());
        if (task == Task.MULTICLASS) {
            return new TargetColumn(name, type, task, classes, null);
        }
        String positive = positive(name, classes, counts, options.positiveClass());
        String negative = classes.get(0).equals(positive) ? classes.get(1) : classes.get(0);
        return new TargetColumn(name, type, task, List.of(negative, positive), positive);
    }

    /** --positive-class, else a yes/no target's "true" word, else the rarer class (kiln train's rule). */
    private static String positive(String name, List<String> classes, Map<String, Long> counts, String asked) {
        if (asked != null) {
            if (!counts.containsKey(asked)) {
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--positive-class '" + asked + "' is not a class of '"
                        + name + "'; classes are " + classes, Map.of("option", "--positive-class", "column", name));
            }
            return asked;
        }
        String a = classes.get(0);
        String b = classes.get(1);
        if (Values.isBooleanWord(a) && Values.isBooleanWord(b) && Values.parseBoolean(a) != Values.parseBoolean(b)) {
            return Values.parseBoolean(a) == 1.0 ? a : b;
        }
        return counts.get(a) < counts.get(b) ? a : b;
    }

    /** Whether a raw Spark value is a target value at all (null, NaN and Kiln's missing tokens are not). */
    static boolean present(Object raw) {
        if (raw == null) {
            return false;
        }
        if (raw instanceof Double d) {
            return !d.isNaN();
        }
        if (raw instanceof Float f) {
            return !f.isNaN();
        }
        return !(raw instanceof String s) || !Values.isMissingToken(s);
    }

    /**
     * A present value's label as kiln train writes it: a number in its canonical text (1, not 1.0), a boolean as
     * true/false, text as written (trimmed).
     */
    static String label(Object raw, ColumnType type) {
        Object v = SparkValues.toKiln(raw);
        if (v instanceof Boolean b) {
            return b.toString();
        }
        if (type == ColumnType.INTEGER || type == ColumnType.NUMERIC) {
            double d = v instanceof Number n ? n.doubleValue() : Values.parseAs(type, v.toString().trim());
            return Values.canonicalNumberText(d);
        }
        return v.toString().trim();
    }

    /** A present value as the number XGBoost learns: the class index, or the value of a regression target. */
    double y(Object raw) {
        if (task == Task.REGRESSION) {
            Object v = SparkValues.toKiln(raw);
            double d = v instanceof Number n ? n.doubleValue() : Values.parseAs(type, v.toString().trim());
            if (!Double.isFinite(d)) {
                throw new KilnException(ErrorCode.TARGET_INVALID, "target '" + name + "' holds '" + raw
                        + "', which is not a finite number", Map.of("column", name));
            }
            return d;
        }
        int k = classes.indexOf(label(raw, type));
        if (k < 0) {
            throw new KilnException(ErrorCode.INTERNAL, "target '" + name + "': label '" + label(raw, type)
                    + "' is not among the classes " + classes);
        }
        return k;
    }

    /** Numbers sort numerically (2 before 10), text alphabetically. */
    private static Comparator<String> labelOrder(ColumnType type) {
        if (type == ColumnType.INTEGER || type == ColumnType.NUMERIC) {
            return Comparator.comparingDouble(Double::parseDouble);
        }
        return Comparator.naturalOrder();
    }
}
