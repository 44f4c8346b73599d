package dev.kiln.runtime.log;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Map;

/**
 * Writes records as the log's lines (each ending in a newline) into one reused buffer, read with {@link #bytes()}
 * and {@link #size()} until the next record. Not thread-safe: one per writer thread. A predictions row goes through
 * {@link DirectRowSerializer} when it can, else through {@link GeneratorRowSerializer}; the same bytes either way.
 */
public final class LogLineWriter {
    private final LineBuffer line = new LineBuffer();
    private final TimeText times = new TimeText();
    private final FieldNames names = new FieldNames();
    /** The generator writing rows into {@link #line}, made on first use and kept. */
    private JsonGenerator rows;

    /** The line last written (valid up to {@link #size()}). */
    public byte[] bytes() {
        return line.bytes();
    }

    public int size() {
        return line.size();
    }

    /** A {@code predictions} record. */
    public void prediction(PredictionRow r) throws IOException {
        line.reset();
        if (DirectRowSerializer.write(line, r, times, names)) {
            line.put((byte) '\n');
            return;
        }
        line.reset();
        if (rows == null) {
            rows = LogJson.MAPPER.getFactory().createGenerator(line);
            rows.setRootValueSeparator(null);
        }
        try {
            GeneratorRowSerializer.writeRow(rows, r, times, names);
            rows.flush();
        } catch (IOException | RuntimeException e) {
            rows = null;  // mid-object: a fresh generator for the next row (this one is dropped, not closed)
            line.reset();
            throw e;
        }
        line.write('\n');
    }

    /** A {@code shadow} record: the shadow's row, then the version that answered the request and its prediction. */
    public void shadow(PredictionRow r, String servedVersion, Object servedPrediction) throws IOException {
        prediction(r);
        // The row's object, reopened for the served answer: '}' and '\n' are its last two bytes.
        line.drop(2);
        line.put(DirectRowSerializer.D_SERVED_VERSION);
        if (!DirectRowSerializer.directValue(line, servedVersion)) {
            line.write(LogJson.MAPPER.writeValueAsBytes(servedVersion));
        }
        line.put(DirectRowSerializer.D_SERVED_PREDICTION);
        if (!DirectRowSerializer.directValue(line, servedPrediction)) {
            line.write(LogJson.MAPPER.writeValueAsBytes(servedPrediction));
        }
        line.put((byte) '}');
        line.put((byte) '\n');
    }

    /** A {@code feedback} record, fields in {@link LogFormat}'s order ({@code row} only when given). */
    public void feedback(FeedbackEntry f) throws IOException {
        line.reset();
        try (JsonGenerator g = LogJson.MAPPER.getFactory().createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField(LogFormat.REQUEST_ID, f.requestId());
            g.writeFieldName(LogFormat.TIME);
            times.write(g, f.time());
            g.writeStringField(LogFormat.MODEL, f.model());
            g.writeStringField(LogFormat.SERVED_VERSION, f.servedVersion());
            if (f.row() != null) {
                g.writeNumberField(LogFormat.ROW, f.row().intValue());
            }
            if (f.label() != null) {
                g.writeFieldName(LogFormat.LABEL);
                GeneratorRowSerializer.writeValue(g, f.label());
            }
            if (f.reward() != null) {
                g.writeNumberField(LogFormat.REWARD, f.reward().doubleValue());
            }
            g.writeStringField(LogFormat.FEEDBACK_ID, f.feedbackId());
            g.writeEndObject();
        }
        line.write('\n');
    }

    /** Any record given as a map, written with the log's mapper in the map's order. */
    public void map(Map<String, Object> fields) throws IOException {
        line.reset();
        LogJson.MAPPER.writeValue(line, fields);
        line.write('\n');
    }
}
