package dev.kiln.runtime.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The general serializer of a {@code predictions} record: any {@link PredictionRow} through a Jackson generator. Rows
 * that {@link DirectRowSerializer} takes come out byte for byte the same (property-tested).
 */
public final class GeneratorRowSerializer {
    private GeneratorRowSerializer() {
    }

    private static final SerializableString REQUEST_ID = new SerializedString(LogFormat.REQUEST_ID);
    private static final SerializableString ID = new SerializedString(LogFormat.ID);
    private static final SerializableString TIME = new SerializedString(LogFormat.TIME);
    private static final SerializableString MODEL = new SerializedString(LogFormat.MODEL);
    private static final SerializableString VERSION = new SerializedString(LogFormat.VERSION);
    private static final SerializableString ROW = new SerializedString(LogFormat.ROW);
    private static final SerializableString INPUTS = new SerializedString(LogFormat.INPUTS);
    private static final SerializableString OUTPUTS = new SerializedString(LogFormat.OUTPUTS);
    private static final SerializableString PREDICTION = new SerializedString(LogFormat.PREDICTION);
    private static final SerializableString PROBABILITIES = new SerializedString(LogFormat.PROBABILITIES);
    private static final SerializableString FLAGS = new SerializedString(LogFormat.FLAGS);
    private static final SerializableString EXPLANATION = new SerializedString(LogFormat.EXPLANATION);
    private static final SerializableString COLUMN = new SerializedString(LogFormat.COLUMN);
    private static final SerializableString VALUE = new SerializedString(LogFormat.VALUE);
    private static final SerializableString REASON = new SerializedString(LogFormat.REASON);
    private static final SerializableString LATENCY_MS = new SerializedString(LogFormat.LATENCY_MS);
    private static final SerializableString VALUE_LENGTH = new SerializedString(LogFormat.VALUE_LENGTH);

    /** Writes one row as the JSON object described at {@link PredictionRow} (and {@link LogFormat}) (no newline). */
    public static void writeRow(JsonGenerator g, PredictionRow r, TimeText times, FieldNames names) throws IOException {
        g.writeStartObject();
        g.writeFieldName(REQUEST_ID);
        writeValue(g, r.requestId());
        if (r.id() != null) {
            g.writeFieldName(ID);
            g.writeString(r.id());
        }
        g.writeFieldName(TIME);
        times.write(g, r.time());
        g.writeFieldName(MODEL);
        writeValue(g, r.model());
        g.writeFieldName(VERSION);
        writeValue(g, r.version());
        g.writeFieldName(ROW);
        g.writeNumber(r.row());
        g.writeFieldName(INPUTS);
        writeInputs(g, r, names);
        g.writeFieldName(OUTPUTS);
        g.writeStartObject();
        g.writeFieldName(PREDICTION);
        if (r.prediction() instanceof String label) {
            g.writeString(names.label(label));
        } else {
            writeValue(g, r.prediction());
        }
        g.writeFieldName(PROBABILITIES);
        writeProbabilities(g, r.probabilities(), names);
        g.writeEndObject();
        if (r.explanation() != null) {
            g.writeFieldName(EXPLANATION);
            writeValue(g, r.explanation());
        }
        List<? extends InputFlag> flags = r.flags();
        if (flags != null && !flags.isEmpty()) {
            g.writeFieldName(FLAGS);
            g.writeStartArray();
            for (InputFlag f : flags) {
                g.writeStartObject();
                g.writeFieldName(COLUMN);
                writeValue(g, f.column());
                g.writeFieldName(VALUE);
                writeValue(g, f.value());
                if (f.valueLength() != null) {
                    g.writeFieldName(VALUE_LENGTH);
                    g.writeNumber(f.valueLength().intValue());
                }
                g.writeFieldName(REASON);
                writeValue(g, f.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeFieldName(LATENCY_MS);
        g.writeNumber(r.latencyMs());
        g.writeEndObject();
    }

    private static void writeInputs(JsonGenerator g, PredictionRow r, FieldNames names) throws IOException {
        Object inputs = r.inputs();
        if (inputs instanceof Object[] columns) {
            SerializableString[] encoded = names.of(r.fields());
            g.writeStartObject();
            for (int c = 0; c < columns.length; c++) {
                g.writeFieldName(encoded[c]);
                writeValue(g, columns[c]);
            }
            g.writeEndObject();
        } else if (inputs instanceof SentInstance sent) {
            SerializableString[] encoded = names.of(r.fields());
            g.writeStartObject();
            for (int k : sent.order()) {
                if (k >= 0) {
                    g.writeFieldName(encoded[k]);
                    writeValue(g, sent.columns()[k]);
                } else {
                    g.writeFieldName(sent.extraNames()[-1 - k]);
                    writeValue(g, sent.extraValues()[-1 - k]);
                }
            }
            g.writeEndObject();
        } else {
            writeValue(g, inputs);
        }
    }

    /** The class probabilities as the mapper writes the map, with the labels encoded once. */
    private static void writeProbabilities(JsonGenerator g, Map<String, Double> probabilities, FieldNames names) throws IOException {
        if (probabilities == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        for (Map.Entry<String, Double> e : probabilities.entrySet()) {
            g.writeFieldName(names.label(e.getKey()));
            Double p = e.getValue();
            if (p == null) {
                g.writeNull();
            } else {
                g.writeNumber(p.doubleValue());
            }
        }
        g.writeEndObject();
    }

    /** One value as the mapper writes it: the common types directly, anything else through the mapper. */
    static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Double d) {
            g.writeNumber(d.doubleValue());
        } else if (v instanceof Long l) {
            g.writeNumber(l.longValue());
        } else if (v instanceof Integer i) {
            g.writeNumber(i.intValue());
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Map<?, ?> m && allStringKeys(m)) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName((String) e.getKey());
                writeValue(g, e.getValue());
            }
            g.writeEndObject();
        } else {
            LogJson.MAPPER.writeValue(g, v);  // JsonNode, lists, other numbers: as the old map's serializer did
        }
    }

    private static boolean allStringKeys(Map<?, ?> m) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                return false;
            }
        }
        return true;
    }
}
