package dev.kiln.spark.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.Task;
import dev.kiln.runtime.features.FeaturePipeline;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Schema;
import dev.kiln.runtime.schema.Values;
import dev.kiln.spark.SparkValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows encoded on the executors by Kiln's runtime pipeline, as a bundle encodes them when it scores ({@link Values#coerce}
 * then {@link FeaturePipeline#transform}): a {@code label} column (class index or value) and a dense Spark ML
 * {@code features} vector, what XGBoost4J-Spark reads. The pipeline travels to the executors as its bundle JSON.
 */
final class FeatureRows {
    static final String LABEL = "label";
    static final String FEATURES = "features";
    static final StructType SCHEMA = new StructType()
            .add(LABEL, DataTypes.DoubleType, false)
            .add(FEATURES, SQLDataTypes.VectorType(), false);

    private FeatureRows() {
    }

    static Dataset<Row> encode(Dataset<Row> rows, FeaturePipeline pipeline, Schema inputs, TargetColumn target) {
        String json;
        try {
            json = Json.mapper().writeValueAsString(pipeline);
        } catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot write the feature pipeline: " + e.getOriginalMessage());
        }
        List<String> columns = pipeline.inputColumns();
        int[] positions = new int[columns.size()];
        String[] types = new String[columns.size()];
        for (int j = 0; j < positions.length; j++) {
            positions[j] = rows.schema().fieldIndex(columns.get(j));
            types[j] = inputs.field(columns.get(j)).orElseThrow().type().name();
        }
        return rows.mapPartitions(new Encode(json, columns.toArray(String[]::new), types, positions,
                rows.schema().fieldIndex(target.name()), target.name(), target.type().name(), target.task().name(),
                target.classes().toArray(String[]::new), target.spelling().keySet().toArray(String[]::new),
                target.spelling().values().toArray(String[]::new)), Encoders.row(SCHEMA));
    }

    /** One partition's rows encoded; every field a string or an array of them, nothing of Kiln's Java-serialized. */
    private record Encode(String pipelineJson, String[] names, String[] types, int[] positions, int targetAt,
                          String targetName, String targetType, String task, String[] classes, String[] spelledAs,
                          String[] spelledClass)
            implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> input) throws Exception {
            FeaturePipeline pipeline = Json.mapper().readValue(pipelineJson, FeaturePipeline.class);
            Field[] fields = new Field[names.length];
            for (int j = 0; j < fields.length; j++) {
                fields[j] = new Field(names[j], ColumnType.valueOf(types[j]), true);
            }
            Map<String, String> spelling = new HashMap<>();
            for (int k = 0; k < spelledAs.length; k++) {
                spelling.put(spelledAs[k], spelledClass[k]);
            }
            TargetColumn target = new TargetColumn(targetName, ColumnType.valueOf(targetType), Task.valueOf(task),
                    List.of(classes), null, spelling);
            int width = pipeline.width();
            Object[] values = new Object[fields.length];
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return input.hasNext();
                }

                @Override
                public Row next() {
                    Row row = input.next();
                    for (int j = 0; j < fields.length; j++) {
                        values[j] = Values.coerce(fields[j], SparkValues.toKiln(row.get(positions[j])));
                    }
                    double[] x = new double[width];
                    pipeline.transform(values, x);
                    return RowFactory.create(target.y(row.get(targetAt)), Vectors.dense(x));
                }
            };
        }
    }

    /** Which of {@code columns} (datetimes) have a time of day other than midnight in some row of {@code rows}. */
    static List<String> withTimeOfDay(Dataset<Row> rows, List<String> columns) {
        if (columns.isEmpty()) {
            return List.of();
        }
        String[] names = columns.toArray(String[]::new);
        int[] positions = new int[names.length];
        for (int j = 0; j < names.length; j++) {
            positions[j] = rows.schema().fieldIndex(names[j]);
        }
        return rows.mapPartitions((MapPartitionsFunction<Row, String>) input -> {
            Field[] fields = new Field[names.length];
            boolean[] found = new boolean[names.length];
            for (int j = 0; j < names.length; j++) {
                fields[j] = new Field(names[j], ColumnType.DATETIME, true);
            }
            while (input.hasNext()) {
                Row row = input.next();
                for (int j = 0; j < names.length; j++) {
                    if (!found[j]) {
                        Object v = Values.coerce(fields[j], SparkValues.toKiln(row.get(positions[j])));
                        double millis = v instanceof Double d ? d : Double.NaN;
                        found[j] = !Double.isNaN(millis) && Math.floorMod((long) millis, 86_400_000L) != 0;
                    }
                }
            }
            List<String> out = new ArrayList<>();
            for (int j = 0; j < names.length; j++) {
                if (found[j]) {
                    out.add(names[j]);
                }
            }
            return out.iterator();
        }, Encoders.STRING()).distinct().collectAsList();
    }
}
