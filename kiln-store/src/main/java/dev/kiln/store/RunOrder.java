package dev.kiln.store;

import dev.kiln.runtime.ErrorCode;
import dev.kiln.runtime.KilnException;
import java.util.Locale;
import java.util.Map;

/**
 * One key a search orders by: {@code metrics.roc_auc DESC}. Runs without the key (or whose metric is NaN) come last
 * either way; ties keep the newest run first.
 */
public record RunOrder(RunKey key, boolean ascending) {
    /** What a search orders by when told nothing: the newest run first. */
    public static final RunOrder DEFAULT = new RunOrder(RunKey.attribute("start_time"), false);

    public RunOrder {
        if (key == null) {
            throw new IllegalArgumentException("an order needs a key");
        }
    }

    /** Reads {@code KEY [ASC|DESC]}; ASC when the direction is left out, as in SQL. */
    public static RunOrder parse(String text) {
        Map.Entry<RunKey, String> kw = RunFilterParser.parseKeyAndWord(text, "order_by");
        String dir = kw.getValue().toUpperCase(Locale.ROOT);
        if (!dir.isEmpty() && !dir.equals("ASC") && !dir.equals("DESC")) {
            throw new KilnException(ErrorCode.INVALID_ARGUMENT, "order_by '" + text + "': the direction is ASC or DESC, not '"
                    + kw.getValue() + "'", Map.of("field", "order_by", "value", text));
        }
        return new RunOrder(kw.getKey(), !dir.equals("DESC"));
    }

    @Override
    public String toString() {
        return key + (ascending ? " ASC" : " DESC");
    }
}
