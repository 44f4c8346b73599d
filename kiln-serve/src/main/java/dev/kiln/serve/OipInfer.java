package dev.kiln.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.Prediction;
import dev.kiln.runtime.schema.Field;
import dev.kiln.serve.ModelHost.Served;
import dev.kiln.serve.http.Bodies;
import dev.kiln.serve.http.Exchange;
import dev.kiln.serve.oip.OipMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v2/models/{name}[/versions/{v}]/infer}: one tensor per column ({@code shape [rows]}), answered with a
 * {@code prediction} tensor and one {@code probability_<class>} tensor per class, the request's {@code id} echoed, and
 * out-of-range inputs in {@code parameters.kiln_flags}.
 */
final class OipInfer {
    private final ServeState state;
    private final PredictionRecorder recorder;

    OipInfer(ServeState state, PredictionRecorder recorder) {
        this.state = state;
        this.recorder = recorder;
    }

    Object infer(Exchange x, String version) {
        Served s = state.route(x, version);
        JsonNode body = Bodies.json(x.ctx());
        Map<String, JsonNode> byName = tensors(body.get("inputs"));
        List<Field> fields = s.model().requiredFields();
        int rows = -1;
        String rowsFrom = null;
        Object[][] columns = new Object[fields.size()][];
        for (int c = 0; c < fields.size(); c++) {
            Field f = fields.get(c);
            JsonNode t = byName.get(f.name());
            if (t == null) {
                throw Bodies.badRequest(ErrorCode.COLUMN_MISSING, "input '" + f.name() + "' is missing: the model needs one tensor per column ("
                        + fields.stream().map(Field::name).toList() + ")", Map.of("input", f.name()));
            }
            List<JsonNode> data = data(f, t);
            int n = data.size();
            if (rows < 0) {
                rows = n;
                rowsFrom = f.name();
            } else if (n != rows) {
                throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "input '" + f.name() + "' has " + n + " rows but input '" + rowsFrom
                        + "' has " + rows, Map.of("input", f.name(), "rows", n, "expected_rows", rows));
            }
            String datatype = t.get("datatype").asText();
            Object[] values = new Object[n];
            for (int i = 0; i < n; i++) {
                values[i] = element(f, datatype, data.get(i), i);
            }
            columns[c] = values;
        }
        List<Map<String, Object>> batch = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            Map<String, Object> row = new HashMap<>();
            for (int c = 0; c < fields.size(); c++) {
                row.put(fields.get(c).name(), columns[c][i]);
            }
            batch.add(row);
        }
        List<Prediction> predictions = rows == 0 ? List.of() : s.model().predictBatch(batch);
        List<List<InputChecks.Flag>> flags = recorder.flag(s, batch);
        JsonNode id = body.get("id");
        String givenId = id != null && id.isTextual() ? id.asText() : null;
        Map<String, Object> out = answer(s, predictions, flags, givenId != null ? givenId : x.requestId());
        recorder.log(x, s, givenId, fields, batch, predictions, flags, null);
        return out;
    }

    /** The request's tensors by name: 400 unless a non-empty array of named tensors, each named once. */
    private static Map<String, JsonNode> tensors(JsonNode inputs) {
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "the request needs \"inputs\": a non-empty array of tensors, one per column",
                    Map.of("field", "inputs"));
        }
        Map<String, JsonNode> byName = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            JsonNode t = inputs.get(i);
            JsonNode name = t.get("name");
            if (!t.isObject() || name == null || !name.isTextual()) {
                throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "inputs[" + i + "] must be a tensor object with a \"name\"",
                        Map.of("field", "inputs[" + i + "]"));
            }
            if (byName.put(name.asText(), t) != null) {
                throw Bodies.badRequest(ErrorCode.INVALID_ARGUMENT, "input '" + name.asText() + "' is given twice", Map.of("input", name.asText()));
            }
        }
        return byName;
    }

    /** One column's elements from its tensor: datatype, shape and data checked against the column. */
    private static List<JsonNode> data(Field f, JsonNode t) {
        String expected = OipMetadata.datatype(f.type());
        JsonNode dt = t.get("datatype");
        if (dt == null || !dt.isTextual() || !OipMetadata.accepts(f.type(), dt.asText())) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "input '" + f.name() + "': datatype " + (dt == null ? "missing" : dt)
                    + " does not fit a " + f.type().wireName() + " column (send " + expected + ")",
                    Map.of("input", f.name(), "expected", expected));
        }
        int n = shapeRows(f.name(), t.get("shape"));
        List<JsonNode> data = flatData(f.name(), t.get("data"));
        if (data.size() != n) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "input '" + f.name() + "': shape says " + n + " values but data has "
                    + data.size(), Map.of("input", f.name(), "shape_rows", n, "data_length", data.size()));
        }
        return data;
    }

    private static Map<String, Object> answer(Served s, List<Prediction> predictions, List<List<InputChecks.Flag>> flags, String id) {
        List<Object> outputs = new ArrayList<>();
        boolean classification = s.model().task().isClassification();
        List<Object> labels = new ArrayList<>(predictions.size());
        for (Prediction p : predictions) {
            labels.add(p.prediction());
        }
        outputs.add(tensor(RecordsRoutes.PREDICTION, classification ? "BYTES" : "FP64", labels));
        for (String cls : s.model().classes()) {
            List<Object> probs = new ArrayList<>(predictions.size());
            for (Prediction p : predictions) {
                probs.add(p.probabilities().get(cls));
            }
            outputs.add(tensor(RecordsRoutes.PROBABILITY_PREFIX + cls, "FP64", probs));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_name", s.name());
        out.put("model_version", s.version());
        out.put("id", id);
        out.put("outputs", outputs);
        List<Object> kilnFlags = new ArrayList<>();
        for (int i = 0; i < flags.size(); i++) {
            kilnFlags.addAll(PredictionRecorder.flagMaps(flags.get(i), i));
        }
        if (!kilnFlags.isEmpty()) {
            out.put("parameters", Map.of("kiln_flags", kilnFlags));
        }
        return out;
    }

    private static Map<String, Object> tensor(String name, String datatype, List<Object> data) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("datatype", datatype);
        t.put("shape", List.of(data.size()));
        t.put("data", data);
        return t;
    }

    /** Rows of a column tensor: shape {@code [rows]} or {@code [rows, 1]}. */
    private static int shapeRows(String input, JsonNode shape) {
        boolean ok = shape != null && shape.isArray() && (shape.size() == 1 || (shape.size() == 2 && shape.get(1).isIntegralNumber()
                && shape.get(1).asLong() == 1)) && shape.get(0).isIntegralNumber() && shape.get(0).asLong() >= 0
                && shape.get(0).asLong() <= Integer.MAX_VALUE;
        if (!ok) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "input '" + input + "': shape " + shape + " is not [rows] (one column per tensor)",
                    Map.of("input", input));
        }
        return shape.get(0).asInt();
    }

    private static List<JsonNode> flatData(String input, JsonNode data) {
        if (data == null || !data.isArray()) {
            throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "input '" + input + "': \"data\" must be an array", Map.of("input", input));
        }
        List<JsonNode> out = new ArrayList<>(data.size());
        flatten(data, out);
        return out;
    }

    private static void flatten(JsonNode node, List<JsonNode> out) {
        for (JsonNode e : node) {
            if (e.isArray()) {
                flatten(e, out);
            } else {
                out.add(e);
            }
        }
    }

    /** One element of a tensor as a Java value for the scoring API; null means missing. */
    private static Object element(Field f, String datatype, JsonNode e, int i) {
        if (e.isNull()) {
            return null;
        }
        switch (datatype) {
            case "BYTES" -> {
                if (e.isTextual()) {
                    return e.asText();
                }
            }
            case "BOOL" -> {
                if (e.isBoolean()) {
                    return e.asBoolean();
                }
            }
            default -> {
                if (e.isNumber()) {
                    double d = e.asDouble();
                    if (!Double.isFinite(d)) {
                        throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "input '" + f.name() + "' element " + i + " is " + d
                                + ": values must be finite numbers (null for a missing value)", Map.of("input", f.name(), "index", i));
                    }
                    if (!datatype.contains("INT")) {
                        return d;
                    }
                    if (e.isIntegralNumber() && e.canConvertToLong()) {
                        return e.asLong();
                    }
                }
            }
        }
        String shown = e.toString();
        throw Bodies.badRequest(ErrorCode.VALUE_INVALID, "input '" + f.name() + "' element " + i + ": "
                + (shown.length() > 60 ? shown.substring(0, 57) + "..." : shown) + " is not a " + datatype + " value",
                Map.of("input", f.name(), "index", i, "datatype", datatype));
    }
}
