package dev.kiln.runtime.log;

import dev.kiln.runtime.log.LoggedPrediction.LoggedFlag;
import dev.kiln.runtime.schema.Field;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Plain implementations of what the writer takes, for tests (the server has its own, in kiln-serve). */
final class TestRows {
    private TestRows() {
    }

    record Row(String requestId, String id, Instant time, String model, String version, int row, List<Field> fields,
               Object inputs, Object prediction, Map<String, Double> probabilities, List<LoggedFlag> flags,
               double latencyMs, Map<String, Object> explanation) implements PredictionRow {
    }

    record Sent(Object[] columns, int[] order, String[] extraNames, Object[] extraValues) implements SentInstance {
    }
}
