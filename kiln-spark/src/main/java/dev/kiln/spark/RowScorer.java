package dev.kiln.spark;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Values;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores Spark rows with Kiln's runtime, as {@code kiln predict} scores a file: each row's values for the model's
 * columns are coerced ({@link Values#coerce}, the rules of {@link KilnModel#predict}) and encoded, then a chunk of rows
 * is scored at once ({@link KilnModel#scoreBatch}) and decoded ({@link KilnModel#decode}). A row that cannot be encoded
 * (a column the input lacks, a value of the wrong type) gets its error in the error column and nulls for the outputs;
 * the other rows of its chunk are scored as usual.
 */
final class RowScorer {
    private final KilnModel model;
    private final Field[] fields;
    /** Where each of the model's columns is in an input row; -1 for a column the input lacks. */
    private final int[] positions;
    private final int inputWidth;
    private final int outputWidth;
    private final int features;

    RowScorer(KilnModel model, int[] positions, int inputWidth) {
        this.model = model;
        this.fields = model.requiredFields().toArray(Field[]::new);
        this.positions = positions;
        this.inputWidth = inputWidth;
        this.outputWidth = ScoredSchema.outputColumns(model).size();
        this.features = model.featureNames().size();
    }

    /** Where each of the model's columns is among {@code inputColumns} (case-insensitive, as Spark resolves names). */
    static int[] positions(KilnModel model, String[] inputColumns) {
        List<Field> fields = model.requiredFields();
        int[] positions = new int[fields.size()];
        for (int j = 0; j < positions.length; j++) {
            positions[j] = -1;
            for (int c = 0; c < inputColumns.length; c++) {
                if (inputColumns[c].equals(fields.get(j).name())) {
                    positions[j] = c;
                    break;
                }
                if (positions[j] < 0 && inputColumns[c].equalsIgnoreCase(fields.get(j).name())) {
                    positions[j] = c;
                }
            }
        }
        return positions;
    }

    /** The rows with their outputs appended, in order. */
    List<Row> score(List<Row> rows) {
        int n = rows.size();
        double[][] encoded = new double[n][];
        String[] errors = new String[n];
        int good = 0;
        Object[] values = new Object[fields.length];
        for (int i = 0; i < n; i++) {
            try {
                Row row = rows.get(i);
                for (int j = 0; j < fields.length; j++) {
                    if (positions[j] < 0) {
                        throw new KilnException(ErrorCode.COLUMN_MISSING, "column '" + fields[j].name() + "' is missing");
                    }
                    values[j] = Values.coerce(fields[j], SparkValues.toKiln(row.get(positions[j])));
                }
                double[] vector = new double[features];
                model.encodeValues(values, vector);
                encoded[i] = vector;
                good++;
            } catch (KilnException e) {
                errors[i] = e.code().wireName() + ": " + e.getMessage();
            }
        }
        double[][] batch = new double[good][];
        for (int i = 0, k = 0; i < n; i++) {
            if (encoded[i] != null) {
                batch[k++] = encoded[i];
            }
        }
        double[][] scores = model.scoreBatch(batch);
        List<Row> out = new ArrayList<>(n);
        for (int i = 0, k = 0; i < n; i++) {
            Object[] cells = new Object[inputWidth + outputWidth];
            Row row = rows.get(i);
            for (int c = 0; c < inputWidth; c++) {
                cells[c] = row.get(c);
            }
            if (encoded[i] != null) {
                writeOutputs(cells, model.decode(scores[k++]));
            } else {
                cells[cells.length - 1] = errors[i];
            }
            out.add(RowFactory.create(cells));
        }
        return out;
    }

    /** The prediction (label or value) and each class's probability, as {@code kiln predict} writes them. */
    private void writeOutputs(Object[] cells, Prediction p) {
        int at = inputWidth;
        cells[at++] = p.prediction() instanceof Double d ? (Object) d : p.prediction().toString();
        for (String c : model.classes()) {
            cells[at++] = p.probabilities().get(c);
        }
    }
}
