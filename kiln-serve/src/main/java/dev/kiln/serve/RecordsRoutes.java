package dev.kiln.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import dev.kiln.runtime.KilnModel;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.schema.Field;
import dev.kiln.runtime.schema.Values;
import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.RecordsStream.NotPlain;
import dev.kiln.serve.http.Bodies;
import dev.kiln.serve.http.Exchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records routes: {@code POST /v1/models/{name}:predict} ({@code {"instances": [{...}]}} → {@code {"predictions",
 * "model_name", "model_version", "request_id"}}) and {@code :explain} (the same, each prediction with its
 * {@code "explanation"}). Plain well-formed requests are parsed straight into one value array per instance and scored
 * without per-row maps ({@link #predictPlain}, which the Jetty fast path runs too); anything else goes through the
 * JSON tree ({@link #predictTree}), whose answers (errors included) define the route.
 */
final class RecordsRoutes {
    static final String PREDICTION = "prediction";
    static final String PROBABILITY_PREFIX = "probability_";

    private final ServeState state;
    private final PredictionRecorder recorder;

    RecordsRoutes(ServeState state, PredictionRecorder recorder) {
        this.state = state;
        this.recorder = recorder;
    }

    Object predict(Exchange x) throws IOException {
        Served s = state.route(x, null);
        if (x.ctx().req().getContentLengthLong() > Bodies.MAX_BYTES) {
            return predictTree(x, s, Bodies.json(x.ctx()), false);
        }
        byte[] bytes = Bodies.bytes(x.ctx());
        try {
            return predictPlain(x, s, bytes);
        } catch (NotPlain | IOException e) {
            return predictTree(x, s, Bodies.parse(bytes), false);
        }
    }

    /**
     * {@code POST /v1/models/{name}:explain}: the records route's request and answer, each prediction with its
     * {@code "explanation"} (every input column's additive share of the model's margin, see
     * {@link dev.kiln.runtime.Explanation}), logged with it. 409 {@code explanation_unavailable} for a bundle
     * written before format 1.2.
     */
    Object explain(Exchange x) {
        Served s = state.route(x, null);
        return predictTree(x, s, Bodies.json(x.ctx()), true);
    }

    /**
     * The records route for a plain well-formed body: the answer's bytes. Throws {@link NotPlain} (or the parser's
     * IOException) for anything else, and a {@link KilnException} for a value the model refuses; every such throw
     * happens before any side effect (flag counters, prediction log), so a caller may answer the request another way
     * afterwards (the Jetty fast path hands it to the Javalin route).
     */
    byte[] predictPlain(Exchange x, Served s, byte[] bytes) throws IOException, NotPlain {
        List<Field> fields = s.model().requiredFields();
        List<Object> sent = state.log == null ? null : new ArrayList<>(2);
        InputChecks checks = state.models.checks(s);
        List<Object[]> rows = RecordsReader.read(bytes, checks, fields.size());
        if (rows == null) {
            rows = RecordsStream.read(bytes, fields, checks, sent);
        } else if (sent != null) {
            sent.addAll(rows); // every instance had exactly the model's columns, in its order
        }
        KilnModel model = s.model();
        double[][] features = features(model, fields, rows);
        double[][] scores = rows.size() == 1 ? new double[][] {model.score(features[0])} : model.scoreBatch(features);
        List<Prediction> predictions = new ArrayList<>(scores.length);
        for (double[] sc : scores) {
            predictions.add(model.decode(sc));
        }
        List<List<InputChecks.Flag>> flags = new ArrayList<>(rows.size());
        boolean flagged = false;
        for (Object[] raw : rows) {
            List<InputChecks.Flag> f = checks.isEmpty() ? List.of() : checks.check(raw);
            flagged |= !f.isEmpty();
            flags.add(f);
        }
        byte[] plain = flagged ? null : PlainJson.predictions(predictions, s.name(), s.version(), x.requestId());
        byte[] body = plain != null ? plain : PlainJson.generated(predictions, flags, s.name(), s.version(), x.requestId());
        // Side effects only from here on (the answer is decided).
        for (List<InputChecks.Flag> f : flags) {
            recorder.count(s, f);
        }
        if (sent != null) {
            recorder.log(x, s, null, fields, sent, predictions, flags, null);
        }
        return body;
    }

    /** The rows' feature vectors; a value the model refuses is named as KilnModel.predictBatch names it, by instance. */
    private static double[][] features(KilnModel model, List<Field> fields, List<Object[]> rows) {
        double[][] features = new double[rows.size()][model.featureNames().size()];
        for (int i = 0; i < rows.size(); i++) {
            Object[] raw = rows.get(i);
            Object[] values = new Object[raw.length];
            try {
                for (int c = 0; c < raw.length; c++) {
                    Field f = fields.get(c);
                    if (raw[c] == RecordsStream.ABSENT) {
                        throw KilnException.answer(ErrorCode.COLUMN_MISSING, "column '" + f.name() + "' is missing", Map.of("column", f.name()));
                    }
                    values[c] = Values.coerce(f, raw[c]);
                }
                model.encodeValues(values, features[i]);
            } catch (KilnException e) {
                Map<String, Object> details = new LinkedHashMap<>(e.details());
                details.remove("row");
                details.put("instance", i);
                throw KilnException.answer(e.code(), "instance " + i + ": " + e.getMessage(), details);
            }
        }
        return features;
    }

    /** The records route over a parsed tree (every request the plain path does not take); {@code explain}: :explain. */
    Object predictTree(Exchange x, Served s, JsonNode body, boolean explain) {
        if (explain && !s.model().explainable()) {
            throw KilnException.answer(ErrorCode.EXPLANATION_UNAVAILABLE, "model '" + s.name() + "' version "
                    + s.version() + " cannot explain its predictions: its bundle was written before format 1.2 "
                    + "(format " + s.model().manifest().formatVersion() + "); retrain it to explain",
                    Map.of("model", s.name(), "version", s.version()));
        }
        JsonNode instances = body.get("instances");
        if (instances == null || !instances.isArray() || instances.isEmpty()) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "the request needs \"instances\": a non-empty array of objects, one per row",
                    Map.of("field", "instances"));
        }
        List<Field> fields = s.model().requiredFields();
        List<Map<String, Object>> batch = batch(instances, fields);
        List<Prediction> predictions = predictBatch(s, batch);
        // The rows were checked by predictBatch: explaining them cannot fail on their values.
        List<Map<String, Object>> explanations = null;
        if (explain) {
            explanations = new ArrayList<>(batch.size());
            for (Map<String, Object> row : batch) {
                explanations.add(s.model().explain(row).toMap());
            }
        }
        List<List<InputChecks.Flag>> flags = recorder.flag(s, batch);
        Map<String, Object> reply = answer(x, s, predictions, flags, explanations);
        List<JsonNode> sent = new ArrayList<>(instances.size());
        instances.forEach(sent::add);
        recorder.log(x, s, null, fields, sent, predictions, flags, explanations);
        return reply;
    }

    /** Each instance as a map of the model's columns (absent keys left out: the model names the missing column). */
    private static List<Map<String, Object>> batch(JsonNode instances, List<Field> fields) {
        List<Map<String, Object>> batch = new ArrayList<>(instances.size());
        for (int i = 0; i < instances.size(); i++) {
            JsonNode inst = instances.get(i);
            if (!inst.isObject()) {
                throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "instance " + i + " is not a JSON object", Map.of("instance", i));
            }
            Map<String, Object> row = new HashMap<>();
            for (Field f : fields) {
                JsonNode v = inst.get(f.name());
                if (v == null) {
                    continue;
                }
                if (v.isContainerNode()) {
                    throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "instance " + i + ": column '" + f.name()
                            + "' must be a single value, not " + (v.isArray() ? "an array" : "an object"),
                            Map.of("instance", i, "column", f.name()));
                }
                row.put(f.name(), v.isNull() ? null : v.isTextual() ? v.asText() : v.isBoolean() ? v.asBoolean()
                        : v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.asLong() : (Object) v.asDouble());
            }
            batch.add(row);
        }
        return batch;
    }

    /** The model's predictions; a row it refuses is named as an instance. */
    private static List<Prediction> predictBatch(Served s, List<Map<String, Object>> batch) {
        try {
            return s.model().predictBatch(batch);
        } catch (KilnException e) {
            Map<String, Object> details = new LinkedHashMap<>(e.details());
            Object row = details.remove("row");
            String message = e.getMessage();
            if (row != null) {
                details.put("instance", row);
                message = message.replaceFirst("^row ", "instance ");
            }
            throw KilnException.answer(e.code(), message, details);
        }
    }

    private static Map<String, Object> answer(Exchange x, Served s, List<Prediction> predictions, List<List<InputChecks.Flag>> flags,
                                              List<Map<String, Object>> explanations) {
        List<Object> out = new ArrayList<>(predictions.size());
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(PREDICTION, p.prediction());
            p.probabilities().forEach((cls, prob) -> m.put(PROBABILITY_PREFIX + cls, prob));
            if (explanations != null) {
                m.put("explanation", explanations.get(i));
            }
            if (!flags.get(i).isEmpty()) {
                m.put("flags", PredictionRecorder.flagMaps(flags.get(i), -1));
            }
            out.add(m);
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("predictions", out);
        reply.put("model_name", s.name());
        reply.put("model_version", s.version());
        reply.put("request_id", x.requestId());
        return reply;
    }
}
