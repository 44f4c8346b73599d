package dev.kiln.spark;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Task;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The columns {@link KilnSpark#predict} adds after the input's, as {@code kiln predict} names them: {@code prediction}
 * (the class label as a string, or the regression value as a double), one {@code probability_<class>} double per class
 * (classification), then {@link KilnSpark#ERROR_COLUMN}, null for a row that was scored.
 */
final class ScoredSchema {
    private ScoredSchema() {
    }

    static List<String> outputColumns(KilnModel model) {
        List<String> names = new ArrayList<>();
        names.add("prediction");
        if (model.task() != Task.REGRESSION) {
            for (String c : model.classes()) {
                names.add("probability_" + c);
            }
        }
        names.add(KilnSpark.ERROR_COLUMN);
        return names;
    }

    /** The input's fields, then the outputs; an input column named as an output is refused (Spark would write both). */
    static StructType of(StructType input, KilnModel model) {
        List<String> outputs = outputColumns(model);
        List<StructField> fields = new ArrayList<>(Arrays.asList(input.fields()));
        for (String name : outputs) {
            for (String existing : input.fieldNames()) {
                if (existing.equalsIgnoreCase(name)) {
                    throw new KilnException(ErrorCode.INVALID_ARGUMENT, "the input has a column '" + existing
                            + "', which the scored output adds: rename or drop it before scoring",
                            Map.of("column", existing));
                }
            }
            boolean text = name.equals(KilnSpark.ERROR_COLUMN)
                    || name.equals("prediction") && model.task() != Task.REGRESSION;
            fields.add(DataTypes.createStructField(name, text ? DataTypes.StringType : DataTypes.DoubleType, true));
        }
        return DataTypes.createStructType(fields);
    }
}
