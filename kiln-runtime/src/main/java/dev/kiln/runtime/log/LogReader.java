package dev.kiln.runtime.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the log's lines back into records, as {@link LogLineWriter} wrote them ({@link LogFormat} has the format). A
 * line that is not a record of its kind throws {@link Malformed} naming what is wrong (or Jackson's
 * {@link JsonProcessingException} when it is not JSON at all): callers count and skip such lines.
 */
public final class LogReader {
    private LogReader() {
    }

    /** A line that is JSON but not a record of its kind; the message says why. No stack trace: it is counted, not thrown far. */
    public static final class Malformed extends RuntimeException {
        public Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** One line as a JSON object. */
    public static JsonNode object(String line) throws JsonProcessingException {
        JsonNode node = LogJson.MAPPER.readTree(line);
        if (node == null || !node.isObject()) {
            throw new Malformed("not a JSON object");
        }
        return node;
    }

    /** A {@code predictions} or {@code shadow} line. */
    public static LoggedPrediction prediction(String line) throws JsonProcessingException {
        return prediction(object(line));
    }

    /** A {@code predictions} or {@code shadow} record (a null probability is read as null). */
    public static LoggedPrediction prediction(JsonNode node) {
        JsonNode outputs = node.path(LogFormat.OUTPUTS);
        Map<String, Double> probabilities = null;
        JsonNode probs = outputs.get(LogFormat.PROBABILITIES);
        if (probs != null && probs.isObject()) {
            probabilities = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = probs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Double p = number(e.getValue());
                if (p == null && !e.getValue().isNull()) {
                    throw new Malformed("probability of '" + e.getKey() + "' is not a number");
                }
                probabilities.put(e.getKey(), p);
            }
        }
        JsonNode inputs = node.get(LogFormat.INPUTS);
        if (inputs == null || !inputs.isObject()) {
            throw new Malformed("no \"" + LogFormat.INPUTS + "\" object");
        }
        JsonNode prediction = outputs.get(LogFormat.PREDICTION);
        if (prediction == null) {
            throw new Malformed("no \"" + LogFormat.OUTPUTS + "." + LogFormat.PREDICTION + "\"");
        }
        JsonNode explanation = node.get(LogFormat.EXPLANATION);
        List<LoggedPrediction.LoggedFlag> flags = new ArrayList<>();
        JsonNode flagNodes = node.get(LogFormat.FLAGS);
        if (flagNodes != null && flagNodes.isArray()) {
            for (JsonNode f : flagNodes) {
                JsonNode length = f.get(LogFormat.VALUE_LENGTH);
                flags.add(new LoggedPrediction.LoggedFlag(optionalText(f, LogFormat.COLUMN), value(f.get(LogFormat.VALUE)),
                        length != null && length.canConvertToInt() ? length.intValue() : null, optionalText(f, LogFormat.REASON)));
            }
        }
        JsonNode latency = node.get(LogFormat.LATENCY_MS);
        Double latencyMs = latency == null ? null : number(latency);
        return new LoggedPrediction(text(node, LogFormat.REQUEST_ID), optionalText(node, LogFormat.ID), time(node),
                optionalText(node, LogFormat.MODEL), text(node, LogFormat.VERSION), node.path(LogFormat.ROW).asInt(0),
                object(inputs), value(prediction), probabilities,
                explanation == null || !explanation.isObject() ? null : object(explanation), List.copyOf(flags),
                latencyMs == null ? Double.NaN : latencyMs, optionalText(node, LogFormat.SERVED_VERSION),
                value(node.get(LogFormat.SERVED_PREDICTION)));
    }

    /** A {@code feedback} line. */
    public static FeedbackEntry feedback(String line) throws JsonProcessingException {
        return feedback(object(line));
    }

    /** A {@code feedback} record: exactly one of {@code label} and {@code reward}. */
    public static FeedbackEntry feedback(JsonNode node) {
        JsonNode label = node.get(LogFormat.LABEL);
        JsonNode reward = node.get(LogFormat.REWARD);
        if ((label == null) == (reward == null)) {
            throw new Malformed("needs exactly one of \"" + LogFormat.LABEL + "\" and \"" + LogFormat.REWARD + "\"");
        }
        Double r = null;
        if (reward != null) {
            r = number(reward);
            if (r == null) {
                throw new Malformed("\"" + LogFormat.REWARD + "\" is not a number");
            }
        }
        JsonNode row = node.get(LogFormat.ROW);
        return new FeedbackEntry(text(node, LogFormat.REQUEST_ID), time(node), optionalText(node, LogFormat.MODEL),
                optionalText(node, LogFormat.SERVED_VERSION), row == null || row.isNull() ? null : row.asInt(0),
                label == null ? null : value(label), r, optionalText(node, LogFormat.FEEDBACK_ID));
    }

    /** Every prediction ({@code predictions} or {@code shadow}) record of one model's folder, in write order. */
    public static List<LoggedPrediction> predictions(Path modelDir, String kind) throws IOException {
        List<LoggedPrediction> out = new ArrayList<>();
        for (JsonNode node : lines(modelDir, kind)) {
            out.add(prediction(node));
        }
        return out;
    }

    /** Every feedback record of one model's folder, in write order. */
    public static List<FeedbackEntry> feedback(Path modelDir) throws IOException {
        List<FeedbackEntry> out = new ArrayList<>();
        for (JsonNode node : lines(modelDir, LogFormat.FEEDBACK)) {
            out.add(feedback(node));
        }
        return out;
    }

    private static List<JsonNode> lines(Path modelDir, String kind) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (LogFile f : LogFile.list(modelDir, kind)) {
            try (BufferedReader in = Files.newBufferedReader(f.path(), StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.isBlank()) {
                        out.add(object(line));
                    }
                }
            }
        }
        return out;
    }

    /** The time of a record: an ISO instant. */
    public static Instant time(JsonNode node) {
        String t = text(node, LogFormat.TIME);
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw new Malformed("\"" + LogFormat.TIME + "\" '" + t + "' is not an ISO instant");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isValueNode() || v.isNull()) {
            throw new Malformed("no \"" + field + "\"");
        }
        return v.asText();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A number, or one of the names Jackson writes non-finite numbers as; else null. */
    private static Double number(JsonNode v) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            switch (v.textValue()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    return null;
            }
        }
        return null;
    }

    private static Map<String, Object> object(JsonNode node) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), value(e.getValue()));
        }
        return out;
    }

    /** A JSON value as plain Java (see {@link LoggedPrediction}); null for a missing one. */
    public static Object value(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isObject()) {
            return object(v);
        }
        if (v.isArray()) {
            List<Object> out = new ArrayList<>(v.size());
            for (JsonNode e : v) {
                out.add(value(e));
            }
            return out;
        }
        return v.asText();
    }
}
