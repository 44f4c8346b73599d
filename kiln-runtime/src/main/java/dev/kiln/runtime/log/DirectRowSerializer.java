package dev.kiln.runtime.log;

import com.fasterxml.jackson.core.SerializableString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The fast serializer of a {@code predictions} record, for the scoring route's common row: straight into a
 * {@link LineBuffer}, no generator. Writes exactly the bytes {@link GeneratorRowSerializer} writes (property-tested),
 * or refuses the row (and the caller uses the generator).
 */
public final class DirectRowSerializer {
    private DirectRowSerializer() {
    }

    private static final byte[] D_REQUEST_ID = ascii("{\"" + LogFormat.REQUEST_ID + "\":");
    private static final byte[] D_ID = ascii(",\"" + LogFormat.ID + "\":");
    private static final byte[] D_TIME = ascii(",\"" + LogFormat.TIME + "\":");
    private static final byte[] D_MODEL = ascii(",\"" + LogFormat.MODEL + "\":");
    private static final byte[] D_VERSION = ascii(",\"" + LogFormat.VERSION + "\":");
    private static final byte[] D_ROW = ascii(",\"" + LogFormat.ROW + "\":");
    private static final byte[] D_INPUTS = ascii(",\"" + LogFormat.INPUTS + "\":{");
    private static final byte[] D_OUTPUTS = ascii("},\"" + LogFormat.OUTPUTS + "\":{\"" + LogFormat.PREDICTION + "\":");
    private static final byte[] D_PROBABILITIES = ascii(",\"" + LogFormat.PROBABILITIES + "\":");
    private static final byte[] D_FLAGS = ascii(",\"" + LogFormat.FLAGS + "\":[");
    private static final byte[] D_COLUMN = ascii("{\"" + LogFormat.COLUMN + "\":");
    private static final byte[] D_VALUE = ascii(",\"" + LogFormat.VALUE + "\":");
    private static final byte[] D_VALUE_LENGTH = ascii(",\"" + LogFormat.VALUE_LENGTH + "\":");
    private static final byte[] D_REASON = ascii(",\"" + LogFormat.REASON + "\":");
    private static final byte[] D_LATENCY_MS = ascii(",\"" + LogFormat.LATENCY_MS + "\":");
    static final byte[] D_SERVED_VERSION = ascii(",\"" + LogFormat.SERVED_VERSION + "\":");
    static final byte[] D_SERVED_PREDICTION = ascii(",\"" + LogFormat.SERVED_PREDICTION + "\":");
    private static final byte[] NULL = ascii("null");

    /**
     * Writes {@code r} as {@link GeneratorRowSerializer#writeRow} does, byte for byte, straight into {@code out} without a generator, for the
     * common row: the instance as the model's columns in order, and every value null, a boolean, a long or int, a
     * finite double, or a string of printable ASCII other than {@code "} and {@code \} (what the generator writes
     * verbatim). False for any other row, with {@code out} holding a partial line to reset. Column names and labels
     * are the generator's own escaped bytes ({@link FieldNames}).
     */
    public static boolean write(LineBuffer out, PredictionRow r, TimeText times, FieldNames names) {
        if (!(r.inputs() instanceof Object[] columns) || r.explanation() != null) {
            return false;
        }
        out.put(D_REQUEST_ID);
        if (!directValue(out, r.requestId())) {
            return false;
        }
        if (r.id() != null) {
            out.put(D_ID);
            if (!directValue(out, r.id())) {
                return false;
            }
        }
        out.put(D_TIME);
        if (r.time() == null) {
            out.put(NULL);
        } else {
            out.put((byte) '"');
            times.writeTo(out, r.time());
            out.put((byte) '"');
        }
        if (!directField(out, D_MODEL, r.model()) || !directField(out, D_VERSION, r.version())) {
            return false;
        }
        out.put(D_ROW);
        out.putAscii(Integer.toString(r.row()));
        out.put(D_INPUTS);
        SerializableString[] encoded = names.of(r.fields());
        if (encoded.length != columns.length) {
            return false;
        }
        for (int c = 0; c < columns.length; c++) {
            if (c > 0) {
                out.put((byte) ',');
            }
            out.putQuoted(encoded[c]);
            out.put((byte) ':');
            if (!directValue(out, columns[c])) {
                return false;
            }
        }
        out.put(D_OUTPUTS);
        if (r.prediction() instanceof String label) {
            out.putQuoted(names.label(label));
        } else if (!directValue(out, r.prediction())) {
            return false;
        }
        out.put(D_PROBABILITIES);
        Map<String, Double> probabilities = r.probabilities();
        if (probabilities == null) {
            out.put(NULL);
        } else {
            out.put((byte) '{');
            boolean first = true;
            for (Map.Entry<String, Double> e : probabilities.entrySet()) {
                if (!first) {
                    out.put((byte) ',');
                }
                first = false;
                if (e.getKey() == null) {
                    return false;
                }
                out.putQuoted(names.label(e.getKey()));
                out.put((byte) ':');
                if (!directValue(out, e.getValue())) {
                    return false;
                }
            }
            out.put((byte) '}');
        }
        out.put((byte) '}');
        List<? extends InputFlag> flags = r.flags();
        if (flags != null && !flags.isEmpty()) {
            out.put(D_FLAGS);
            for (int i = 0; i < flags.size(); i++) {
                InputFlag f = flags.get(i);
                if (i > 0) {
                    out.put((byte) ',');
                }
                if (!directField(out, D_COLUMN, f.column()) || !directField(out, D_VALUE, f.value())) {
                    return false;
                }
                if (f.valueLength() != null) {
                    out.put(D_VALUE_LENGTH);
                    out.putAscii(Integer.toString(f.valueLength()));
                }
                if (!directField(out, D_REASON, f.reason())) {
                    return false;
                }
                out.put((byte) '}');
            }
            out.put((byte) ']');
        }
        out.put(D_LATENCY_MS);
        if (!directValue(out, r.latencyMs())) {
            return false;
        }
        out.put((byte) '}');
        return true;
    }

    /** {@code key} (a field's name with its separators, pre-encoded), then {@code value} as {@link #directValue} writes it. */
    private static boolean directField(LineBuffer out, byte[] key, Object value) {
        out.put(key);
        return directValue(out, value);
    }

    /** One value as {@link GeneratorRowSerializer#writeValue} writes it, if it is one written verbatim (see {@link #write}). */
    static boolean directValue(LineBuffer out, Object v) {
        if (v == null) {
            out.put(NULL);
        } else if (v instanceof String s) {
            if (!verbatim(s)) {
                return false;
            }
            out.put((byte) '"');
            out.putAscii(s);
            out.put((byte) '"');
        } else if (v instanceof Double d) {
            if (!Double.isFinite(d)) {
                return false;  // the generator writes these as strings
            }
            out.putAscii(Double.toString(d));
        } else if (v instanceof Long l) {
            out.putAscii(Long.toString(l));
        } else if (v instanceof Integer i) {
            out.putAscii(Integer.toString(i));
        } else if (v instanceof Boolean b) {
            out.putAscii(b ? "true" : "false");
        } else {
            return false;
        }
        return true;
    }

    /**
     * Whether Jackson writes {@code s} as a JSON string without escaping anything: printable ASCII, no quote or
     * backslash. The server's fast answers ({@code PlainJson}) hold to the same rule.
     */
    public static boolean verbatim(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** The bytes of an ASCII constant. */
    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
