package dev.kiln.train.constraints;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The production constraints of a training run ({@code kiln train --max-latency-us --max-bundle-kb
 * --max-train-seconds --interpretable --monotone}); every one optional. The chosen model is the best (by the
 * selection metric, on validation rows) that meets all of them ({@link ConstrainedChoice}).
 *
 * @param maxLatencyMicros p99 single-row latency through the public scoring API, measured in process
 *                         ({@link Latency}); null: no limit
 * @param maxBundleBytes   the bundle's model files (pipeline and estimator) in bytes; the option is in KB of
 *                         1024 bytes ({@link #KB}); null: no limit
 * @param maxTrainSeconds  a candidate's own training time in seconds; null: no limit
 * @param interpretable    only candidates a person can read ({@link Interpretability})
 * @param monotone         input column to direction: +1 the prediction never decreases as the column grows, -1 it
 *                         never increases ({@link Monotone}); empty: none. Kept in the order given.
 */
public record Constraints(Double maxLatencyMicros, Long maxBundleBytes, Double maxTrainSeconds, boolean interpretable,
                          Map<String, Integer> monotone) {
    /** Bytes in the KB of {@code --max-bundle-kb}. */
    public static final long KB = 1024;

    public Constraints {
        monotone = monotone == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(monotone));
    }

    public static Constraints none() {
        return new Constraints(null, null, null, false, Map.of());
    }

    /**
     * The constraints as the command line gives them ({@code --max-bundle-kb} in KB, {@code --monotone} as
     * {@code col=+1} entries); null options are unset. Values are checked by {@link ConstraintsCheck}.
     */
    public static Constraints of(Double maxLatencyMicros, Double maxBundleKb, Double maxTrainSeconds, boolean interpretable,
                                 List<String> monotone) {
        Long bytes = null;
        if (maxBundleKb != null) {
            ConstraintsCheck.positive("--max-bundle-kb", maxBundleKb);
            bytes = (long) Math.ceil(maxBundleKb * KB);
        }
        return new Constraints(maxLatencyMicros, bytes, maxTrainSeconds, interpretable, parseMonotone(monotone));
    }

    /** Whether any constraint is set: without one the choice is today's (best metric, baseline only when alone). */
    public boolean any() {
        return maxLatencyMicros != null || maxBundleBytes != null || maxTrainSeconds != null || interpretable
                || !monotone.isEmpty();
    }

    /**
     * Parses {@code --monotone} entries: {@code column=+1}, {@code column=1} or {@code column=increasing} for a
     * prediction that never decreases as the column grows; {@code column=-1} or {@code column=decreasing} for one
     * that never increases. A column given twice with the same direction counts once; with both directions it is a
     * contradiction. Null: no entries.
     */
    public static Map<String, Integer> parseMonotone(List<String> specs) {
        Map<String, Integer> byColumn = new LinkedHashMap<>();
        if (specs == null) {
            return byColumn;
        }
        for (String spec : specs) {
            if (spec == null) {
                throw bad(null, "has an empty (null) entry");
            }
            int eq = spec.lastIndexOf('=');
            if (eq < 0) {
                throw bad(spec, "is not column=+1 or column=-1");
            }
            String column = spec.substring(0, eq).trim();
            if (column.isEmpty()) {
                throw bad(spec, "names no column: give column=+1 or column=-1");
            }
            Integer sign = sign(spec.substring(eq + 1).trim());
            if (sign == null) {
                throw bad(spec, "has direction '" + spec.substring(eq + 1).trim()
                        + "': expected +1, 1, increasing, -1 or decreasing");
            }
            Integer previous = byColumn.putIfAbsent(column, sign);
            if (previous != null && !previous.equals(sign)) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("option", "--monotone");
                details.put("column", column);
                throw new KilnException(ErrorCode.INVALID_ARGUMENT, "--monotone gives '" + column
                        + "' both directions (increasing and decreasing): give it once", details);
            }
        }
        return byColumn;
    }

    private static Integer sign(String direction) {
        switch (direction.toLowerCase(Locale.ROOT)) {
            case "+1", "1", "increasing", "inc", "+":
                return 1;
            case "-1", "decreasing", "dec", "-":
                return -1;
            default:
                return null;
        }
    }

    private static KilnException bad(String spec, String problem) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("option", "--monotone");
        if (spec != null) {
            details.put("value", spec);
        }
        return new KilnException(ErrorCode.INVALID_ARGUMENT, "--monotone " + (spec == null ? "" : "'" + spec + "' ")
                + problem, details);
    }
}
