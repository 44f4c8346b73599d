package dev.kiln.train;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a training run searches and validates its candidates.
 *
 * @param budget      wall time for the hyperparameter search across every algorithm; null: a default that grows with the
 *                    data ({@code kiln train --budget}); zero: no search, each algorithm's defaults only
 * @param space       narrows the search spaces, e.g. {@code gbdt.max_depth=3..6,linear.l2=0.01..1}; null: the full spaces
 * @param groupColumn rows sharing a value of this column are never split across fit and validation; null: none
 * @param folds       cross-validation folds for small data; null: the default (5)
 * @param configurations configurations each algorithm samples (the default first); null: 3^rungs (27 with 5 folds). Given
 *                    without a budget, the search is not bounded by the clock, so the same seed gives the same search on
 *                    any machine (as H2O AutoML's max_models against max_runtime_secs)
 */
public record Tuning(Duration budget, String space, String groupColumn, Integer folds, Integer configurations) {
    public static final Tuning DEFAULTS = new Tuning(null, null, null, null, null);
    /** The budget of a search bounded by its configurations alone: longer than any search runs. */
    public static final Duration UNBOUNDED = Duration.ofDays(1);

    public Tuning(Duration budget, String space, String groupColumn, Integer folds) {
        this(budget, space, groupColumn, folds, null);
    }
    private static final Pattern BUDGET = Pattern.compile("([0-9]{1,7}(?:\\.[0-9]{1,3})?)\\s*(ms|s|m|h)?");

    /**
     * A search budget as written: {@code 60s}, {@code 2m}, {@code 1h}, {@code 500ms} or a number of seconds; {@code 0}: no
     * search. {@code option} names the option or key in the message of a bad value.
     */
    public static Duration parseBudget(String text, String option) {
        String t = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
        Matcher m = BUDGET.matcher(t);
        if (!m.matches()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + text + "' is not a time budget: use a number "
                    + "followed by ms, s, m or h (90s, 2m, 1h), or 0 for no search (each algorithm's defaults only)",
                    Map.of("option", option, "value", String.valueOf(text)));
        }
        double n = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 1000;
        };
        if (millis > Duration.ofDays(1).toMillis()) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, option + " '" + text + "' is longer than a day; a search "
                    + "that long belongs in a scheduled pipeline", Map.of("option", option, "value", text));
        }
        return Duration.ofMillis(Math.round(millis));
    }
}
