package dev.kiln.app.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How one stage went in a run.
 *
 * @param status {@code ran}, {@code skipped} (its key had run before), {@code refused}, {@code failed} or
 *               {@code not_run} (an earlier stage stopped the run)
 * @param parts  the key's inputs (name to hash), so the next run can say which one changed
 */
public record StageReport(Stage stage, String status, String key, Map<String, String> parts, double seconds,
                          String message, Map<String, Object> output) {
    public static final String RAN = "ran";
    public static final String SKIPPED = "skipped";
    public static final String REFUSED = "refused";
    public static final String FAILED = "failed";
    public static final String NOT_RUN = "not_run";
    /** The key of a stage's output that is also kept in the run's record: the validate stage's validation report. */
    public static final String REPORT = "report";

    /** {@code train: unchanged (data 3f2a…, config 9b1c…), skipped} and the like. */
    public String line() {
        return stage.wireName() + ": " + message;
    }

    Map<String, Object> toRecord() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stage", stage.wireName());
        m.put("status", status);
        if (key != null) {
            m.put("key", key);
            m.put("inputs", parts);
        }
        m.put("seconds", Math.round(seconds * 1000) / 1000.0);
        m.put("message", message);
        if (output != null && output.get(REPORT) != null) {
            m.put(REPORT, output.get(REPORT)); // a skipped stage shows the report of the run that made its output
        }
        return m;
    }
}
