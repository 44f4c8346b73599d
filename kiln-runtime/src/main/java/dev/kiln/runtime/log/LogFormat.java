package dev.kiln.runtime.log;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The prediction log's format, in one place: what the server's writer ({@link LogLineWriter}, {@link RotatingFileSink})
 * writes and the monitor's reader ({@link LogReader}) reads.
 *
 * <p>Layout: {@code <dir>/<model>/<kind>-<yyyyMMdd-HHmmss>-<seq>.jsonl}, {@code kind} one of {@link #KINDS}, the
 * stamp the UTC second the file was opened, {@code seq} a counter that orders files opened in the same second. One
 * JSON object per line, UTF-8, never split across files. Times ({@link #TIME}) are ISO instants in UTC as
 * {@link Instant#toString()} writes them. Non-finite numbers are written as the strings {@code "NaN"},
 * {@code "Infinity"} and {@code "-Infinity"} (Jackson's default), which the reader takes back as doubles where the
 * field is a number ({@code probabilities}, {@code latency_ms}, {@code reward}).
 *
 * <p>Records:
 * <ul>
 *   <li>{@code predictions}: {@code {"request_id", "id"?, "time", "model", "version", "row", "inputs": {...},
 *       "outputs": {"prediction", "probabilities": {...}|null}, "explanation": {...}?, "flags": [{"column", "value",
 *       "value_length"?, "reason"}]?, "latency_ms"}} ({@code id}: the client's id, when it differs from the request id;
 *       {@code value_length}: the value's full length in chars, present when the flag quotes only its first
 *       {@link #MAX_FLAG_VALUE_CHARS}).</li>
 *   <li>{@code shadow}: a prediction record of the shadow's answer, then {@code "served_version"} and
 *       {@code "served_prediction"} (the version that answered the request and its prediction).</li>
 *   <li>{@code feedback}: {@code {"request_id", "time", "model", "served_version", "row"?, "label"|"reward",
 *       "feedback_id"}}; without {@code row} it is about row 0.</li>
 * </ul>
 */
public final class LogFormat {
    public static final String PREDICTIONS = "predictions";
    public static final String FEEDBACK = "feedback";
    /** Rows scored by a model's shadow, beside its predictions. */
    public static final String SHADOW = "shadow";
    public static final List<String> KINDS = List.of(PREDICTIONS, FEEDBACK, SHADOW);

    public static final String REQUEST_ID = "request_id";
    public static final String ID = "id";
    public static final String TIME = "time";
    public static final String MODEL = "model";
    public static final String VERSION = "version";
    public static final String ROW = "row";
    public static final String INPUTS = "inputs";
    public static final String OUTPUTS = "outputs";
    public static final String PREDICTION = "prediction";
    public static final String PROBABILITIES = "probabilities";
    public static final String EXPLANATION = "explanation";
    public static final String FLAGS = "flags";
    public static final String COLUMN = "column";
    public static final String VALUE = "value";
    public static final String VALUE_LENGTH = "value_length";
    public static final String REASON = "reason";
    public static final String LATENCY_MS = "latency_ms";
    public static final String SERVED_VERSION = "served_version";
    public static final String SERVED_PREDICTION = "served_prediction";
    public static final String LABEL = "label";
    public static final String REWARD = "reward";
    public static final String FEEDBACK_ID = "feedback_id";

    /**
     * The most characters of a value an input-check flag repeats: the value itself is in {@code inputs} already, and a
     * 1 MB category would otherwise be written twice per line.
     */
    public static final int MAX_FLAG_VALUE_CHARS = 256;

    /** A model folder's name (and a served model's name). */
    public static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** A log file's name: kind, stamp, sequence number. */
    public static final Pattern FILE_NAME = Pattern.compile("(predictions|feedback|shadow)-(\\d{8}-\\d{6})-(\\d+)\\.jsonl");

    /** The stamp in a file's name: the UTC second it was opened. */
    public static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private LogFormat() {
    }

    /** The name of the {@code kind} file opened at {@code opened}, number {@code seq}. */
    public static String fileName(String kind, Instant opened, long seq) {
        return String.format(Locale.ROOT, "%s-%s-%06d.jsonl", kind, STAMP.format(opened), seq);
    }

    /** A flag's value as the log quotes it: at most {@link #MAX_FLAG_VALUE_CHARS} chars, never half a surrogate pair. */
    public static String flagValue(String value) {
        if (value.length() <= MAX_FLAG_VALUE_CHARS) {
            return value;
        }
        int end = MAX_FLAG_VALUE_CHARS;
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end);
    }
}
