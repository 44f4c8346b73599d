package dev.kiln.serve;

import dev.kiln.runtime.log.DirectRowSerializer;
import dev.kiln.runtime.Prediction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import dev.kiln.serve.http.Json;

/**
 * The records route's answer written straight into bytes, for the common case: every prediction a string label with
 * finite probabilities, no input flags, and names, labels and ids of printable ASCII other than {@code "} and
 * {@code \}. Those are exactly the values Jackson's generator writes verbatim (numbers as {@link Double#toString}),
 * so the bytes are the ones the generator would write; anything else returns null and the caller uses the generator.
 * It exists because creating a generator (its context objects, buffers and output stream) was a visible share of a
 * single-row request's cost.
 */
final class PlainJson {
    private static final byte[] PREDICTIONS = ascii("{\"predictions\":[");
    private static final byte[] PREDICTION = ascii("{\"" + InferenceServer.PREDICTION + "\":\"");
    private static final byte[] MODEL_NAME = ascii("],\"model_name\":\"");
    private static final byte[] MODEL_VERSION = ascii("\",\"model_version\":\"");
    private static final byte[] REQUEST_ID = ascii("\",\"request_id\":\"");

    private PlainJson() {
    }

    /**
     * {@code {"predictions":[{"prediction":...,"probability_<class>":...},...],"model_name":...,"model_version":...,
     * "request_id":...}}, or null when a value is not one this writes verbatim (see the class comment).
     */
    static byte[] predictions(List<Prediction> predictions, String model, String version, String requestId) {
        if (!verbatim(model) || !verbatim(version) || !verbatim(requestId)) {
            return null;
        }
        // Each number's text is made once: for the length, then copied.
        int size = PREDICTIONS.length + MODEL_NAME.length + model.length() + MODEL_VERSION.length + version.length()
                + REQUEST_ID.length + requestId.length() + 2;
        String[][] numbers = new String[predictions.size()][];
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            if (!(p.prediction() instanceof String label) || !verbatim(label)) {
                return null;
            }
            size += (i > 0 ? 1 : 0) + PREDICTION.length + label.length() + 2; // ", {"prediction":"  label  "}
            String[] texts = new String[p.probabilities().size()];
            int k = 0;
            for (Map.Entry<String, Double> e : p.probabilities().entrySet()) {
                Double prob = e.getValue();
                if (prob == null || !Double.isFinite(prob) || !verbatim(e.getKey())) {
                    return null;
                }
                texts[k] = Double.toString(prob);
                size += 4 + InferenceServer.PROBABILITY_PREFIX.length() + e.getKey().length() + texts[k].length(); // ,"":
                k++;
            }
            numbers[i] = texts;
        }
        byte[] out = new byte[size];
        int at = put(out, 0, PREDICTIONS);
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            if (i > 0) {
                out[at++] = ',';
            }
            at = put(out, at, PREDICTION);
            at = put(out, at, (String) p.prediction());
            out[at++] = '"';
            int k = 0;
            for (String label : p.probabilities().keySet()) {
                out[at++] = ',';
                out[at++] = '"';
                at = put(out, at, InferenceServer.PROBABILITY_PREFIX);
                at = put(out, at, label);
                out[at++] = '"';
                out[at++] = ':';
                at = put(out, at, numbers[i][k++]);
            }
            out[at++] = '}';
        }
        at = put(out, at, MODEL_NAME);
        at = put(out, at, model);
        at = put(out, at, MODEL_VERSION);
        at = put(out, at, version);
        at = put(out, at, REQUEST_ID);
        at = put(out, at, requestId);
        out[at++] = '"';
        out[at++] = '}';
        if (at != size) {
            throw new IllegalStateException("response length " + at + " != " + size); // a bug here, never the request
        }
        return out;
    }

    /** Whether Jackson writes {@code s} as a JSON string without escaping anything (the log's rule, one definition). */
    static boolean verbatim(String s) {
        return DirectRowSerializer.verbatim(s);
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /** {@code s} is verbatim (ASCII): one byte per char. */
    private static int put(byte[] out, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            out[at + i] = (byte) s.charAt(i);
        }
        return at + s.length();
    }

    /** The bytes of an ASCII constant. */
    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The records answer through Jackson's generator: what {@link PlainJson} does not write itself (flags, escapes...). */
    static byte[] generated(List<Prediction> predictions, List<List<InputChecks.Flag>> flags, String model,
                                String version, String requestId) throws java.io.IOException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(256 + 160 * predictions.size());
        try (com.fasterxml.jackson.core.JsonGenerator g = Json.MAPPER.getFactory().createGenerator(buf)) {
            g.setCodec(Json.MAPPER);
            g.writeStartObject();
            g.writeArrayFieldStart("predictions");
            for (int i = 0; i < predictions.size(); i++) {
                Prediction p = predictions.get(i);
                g.writeStartObject();
                // Strings and doubles written directly (the same bytes the mapper writes for them, without its lookups).
                Object predicted = p.prediction();
                if (predicted instanceof String str) {
                    g.writeStringField(RecordsRoutes.PREDICTION, str);
                } else {
                    g.writeObjectField(RecordsRoutes.PREDICTION, predicted);
                }
                for (Map.Entry<String, Double> e : p.probabilities().entrySet()) {
                    Double prob = e.getValue();
                    if (prob != null) {
                        g.writeNumberField(RecordsRoutes.PROBABILITY_PREFIX + e.getKey(), prob.doubleValue());
                    } else {
                        g.writeNullField(RecordsRoutes.PROBABILITY_PREFIX + e.getKey());
                    }
                }
                if (!flags.get(i).isEmpty()) {
                    g.writeObjectField("flags", PredictionRecorder.flagMaps(flags.get(i), -1));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("model_name", model);
            g.writeStringField("model_version", version);
            g.writeStringField("request_id", requestId);
            g.writeEndObject();
        }
        return buf.toByteArray();
    }
}
