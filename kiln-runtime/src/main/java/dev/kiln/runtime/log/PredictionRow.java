package dev.kiln.runtime.log;

import dev.kiln.runtime.schema.Field;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One scored row to write as a {@code predictions} (or {@code shadow}) record, as references to what the request
 * already holds (nothing may change once handed to the writer). {@link #inputs()}: the instance as sent — a
 * {@code Map} (written in its iteration order), a {@code JsonNode}, an {@code Object[]} of raw values aligned with
 * {@link #fields()} (an instance that had exactly the model's columns, in the model's order), or a
 * {@link SentInstance}. Values are strings, booleans, numbers, null or {@code JsonNode}s (anything else goes through
 * the mapper). {@link #id()}: the client's id, only when it differs from the request id (else null);
 * {@link #explanation()}: only from {@code :explain} (else null).
 */
public interface PredictionRow {
    String requestId();

    String id();

    Instant time();

    String model();

    String version();

    int row();

    List<Field> fields();

    Object inputs();

    Object prediction();

    Map<String, Double> probabilities();

    List<? extends InputFlag> flags();

    double latencyMs();

    Map<String, Object> explanation();
}
