package dev.kiln.spark;

import dev.kiln.data.DataColumn;
import dev.kiln.data.DataFrame;
import dev.kiln.data.DataReader;
import dev.kiln.data.ReadOptions;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.schema.ColumnType;
import dev.kiln.runtime.schema.Field;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code kiln predict} computes for a file (kiln-app's PredictCommand, its runtime steps): the file read with the
 * model's columns typed by its schema, each row's values encoded ({@link KilnModel#encodeValues}), scored in a batch
 * ({@link KilnModel#scoreBatch}) and decoded. Keyed by the {@code id} column.
 */
final class ReferenceScoring {
    private ReferenceScoring() {
    }

    static Map<String, Prediction> of(KilnModel kiln, Path csv) {
        List<Field> fields = kiln.requiredFields();
        Map<String, ColumnType> types = new LinkedHashMap<>();
        for (Field f : fields) {
            types.put(f.name(), f.type());
        }
        DataFrame frame = DataReader.read(csv, ReadOptions.defaults().withTypes(types).withOtherColumnsVerbatim());
        DataColumn[] inputs = fields.stream().map(f -> frame.column(f.name())).toArray(DataColumn[]::new);
        DataColumn id = frame.column("id");
        int rows = frame.rowCount();
        double[][] encoded = new double[rows][kiln.featureNames().size()];
        Object[] values = new Object[inputs.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < inputs.length; j++) {
                values[j] = inputs[j].value(i);
            }
            kiln.encodeValues(values, encoded[i]);
        }
        double[][] scores = kiln.scoreBatch(encoded);
        Map<String, Prediction> out = new LinkedHashMap<>();
        for (int i = 0; i < rows; i++) {
            out.put(id.value(i).toString(), kiln.decode(scores[i]));
        }
        return out;
    }
}
