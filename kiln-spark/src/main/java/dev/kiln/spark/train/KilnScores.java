package dev.kiln.spark.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Json;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.model.Estimator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Encoded rows ({@link FeatureRows}) scored by Kiln's estimator on the executors (it travels as its bundle JSON), the
 * labels and raw outputs brought back to the driver for the metrics: 8 bytes per row and output.
 *
 * @param y       each row's label (class index or value), in the rows' order
 * @param outputs each row's estimator outputs (binary: P(positive); multiclass: each class's probability; regression:
 *                the value)
 */
record KilnScores(double[] y, double[][] outputs) {
    private static final StructType SCHEMA = new StructType()
            .add("y", DataTypes.DoubleType, false)
            .add("out", org.apache.spark.ml.linalg.SQLDataTypes.VectorType(), false);

    static KilnScores of(Dataset<Row> encoded, Estimator estimator) {
        String json;
        try {
            json = Json.mapper().writeValueAsString(estimator);
        } catch (JsonProcessingException e) {
            throw new KilnException(ErrorCode.INTERNAL, "cannot write the estimator: " + e.getOriginalMessage());
        }
        List<Row> rows = encoded.mapPartitions(new Score(json), Encoders.row(SCHEMA)).collectAsList();
        double[] y = new double[rows.size()];
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < y.length; i++) {
            y[i] = rows.get(i).getDouble(0);
            out[i] = ((Vector) rows.get(i).get(1)).toArray();
        }
        return new KilnScores(y, out);
    }

    private record Score(String estimatorJson) implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> input) throws Exception {
            Estimator estimator = Json.mapper().readValue(estimatorJson, Estimator.class);
            List<Row> out = new ArrayList<>();
            double[] o = new double[estimator.outputs()];
            while (input.hasNext()) {
                Row row = input.next();
                estimator.predict(((Vector) row.get(1)).toArray(), o);
                out.add(RowFactory.create(row.getDouble(0), org.apache.spark.ml.linalg.Vectors.dense(o.clone())));
            }
            return out.iterator();
        }
    }
}
