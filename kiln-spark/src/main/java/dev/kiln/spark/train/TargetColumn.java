package dev.kiln.spark.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Values;
import dev.kiln.spark.SparkValues;
import dev.kiln.train.TargetClasses;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * The target column as kiln train's {@code Target} reads it, from Spark rows: its labels counted on Spark, then kiln
 * train's own rule ({@link TargetClasses}: the task, the classes in output order, binary: negative, positive, the
 * positive class, a yes/no answer written several ways as one class) and each row's label.
 *
 * @param type     the target's Kiln type over every row
 * @param spelling a label as written to its class, where a yes/no answer is written more than one way
 */
public record TargetColumn(String name, ColumnType type, Task task, List<String> classes, String positiveClass,
                           Map<String, String> spelling) {

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
            return new TargetColumn(name, type, Task.REGRESSION, List.of(), null, Map.of());
        }
        int at = data.schema().fieldIndex(name);
        String typeName = type.name();
        // One more label than kiln train allows is enough to refuse the target.
        List<Row> counted = data.map((MapFunction<Row, String>) r -> label(r.get(at), ColumnType.valueOf(typeName)),
                Encoders.STRING()).groupBy("value").count().limit(TargetClasses.MAX_CLASSES + 1).collectAsList();
        Map<String, Long> counts = new HashMap<>();
        for (Row r : counted) {
            counts.put(r.getString(0), r.getLong(1));
        }
        TargetClasses rule = TargetClasses.of(name, type, counts, given, options.positiveClass());
        return new TargetColumn(name, type, rule.task(), rule.classes(), rule.positiveClass(), rule.spelling());
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
        String label = label(raw, type);
        int k = classes.indexOf(spelling.getOrDefault(label, label));
        if (k < 0) {
            throw new KilnException(ErrorCode.INTERNAL, "target '" + name + "': label '" + label
                    + "' is not among the classes " + classes);
        }
        return k;
    }
}
